# harden.mk - fuzz targets (built by scripts/fuzz.sh with clang, replayed
# here), the fuzz regression test and the hostile-environment tests.

# scripts/fuzz.sh asks the build which sources make up the library
print-libqscan-sources:
	@echo $(libqscan_a_SOURCES)
.PHONY: print-libqscan-sources

FUZZ_TARGET_SRCS = fuzz/fuzz-postfix.c fuzz/fuzz-qmail.c fuzz/fuzz-mdaemon.c \
	fuzz/fuzz-icewarp.c fuzz/fuzz-received.c fuzz/fuzz-addr.c fuzz/fuzz-hdr.c \
	fuzz/fuzz-dsn.c fuzz/fuzz-config.c

check_PROGRAMS += t/9501-harden-fuzz-regress
t_9501_harden_fuzz_regress_SOURCES = t/9501-harden-fuzz-regress.c \
	fuzz/fuzz.h fuzz/fuzzutil.c $(FUZZ_TARGET_SRCS)
t_9501_harden_fuzz_regress_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/fuzz -DQS_FUZZ_REGISTRY
t_9501_harden_fuzz_regress_LDADD = $(T_LIBS)
TESTS += t/9501-harden-fuzz-regress

dist_check_SCRIPTS += t/9502-harden-hostile-fs.sh t/9503-harden-signals.sh
TESTS += t/9502-harden-hostile-fs.sh t/9503-harden-signals.sh

EXTRA_DIST += fuzz/standalone.c t/data/fuzz scripts/fuzz.sh t/lib/hostile.sh

check_PROGRAMS += t/9504-harden-walk-race
t_9504_harden_walk_race_LDADD = $(FMT_T_LIBS)
TESTS += t/9504-harden-walk-race
