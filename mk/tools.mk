# demo/benchmark outbox generator and benchmark helpers.
noinst_PROGRAMS += scripts/qscan-gen scripts/floor
scripts_qscan_gen_SOURCES = scripts/qscan-gen.c scripts/gen.h scripts/gen-util.c \
	scripts/gen-content.c scripts/gen-postfix.c scripts/gen-qmail.c scripts/gen-windows.c
scripts_qscan_gen_LDADD = -lm
scripts_floor_SOURCES = scripts/floor.c

dist_noinst_SCRIPTS += scripts/bench.sh
EXTRA_DIST += BENCHMARKS.md

dist_check_SCRIPTS += t/0801-gen-determinism.sh
TESTS += t/0801-gen-determinism.sh
