# core: utilities, the message record, header splitting, the parser
# registry, the scan pipeline, the reports and the command line.
libqscan_a_SOURCES += qscan/qs_limits.h qscan/log.c qscan/log.h qscan/msg.c qscan/msg.h \
	qscan/util.c qscan/util.h qscan/hdr.c qscan/hdr.h \
	parsers/parser.h parsers/registry.c \
	qscan/pipeline.c qscan/pipeline.h qscan/report.c qscan/report.h \
	qscan/report_priv.h qscan/report_human.c qscan/progress.c qscan/progress.h \
	qscan/explain_out.c qscan/explain_out.h

qscan_qscan_SOURCES += qscan/cli.h qscan/cli_common.c qscan/scan.c qscan/explain.c \
	qscan/subcmds_db.c qscan/inventory_cmd.c qscan/quarantine_cmd.c

check_PROGRAMS += t/0001-util-read t/2001-hdr-split
t_0001_util_read_SOURCES = t/0001-util-read.c
t_0001_util_read_LDADD = $(T_LIBS)
check_PROGRAMS += t/0002-util-read-at
t_0002_util_read_at_SOURCES = t/0002-util-read-at.c
t_0002_util_read_at_LDADD = $(T_LIBS)
TESTS += t/0002-util-read-at
t_2001_hdr_split_SOURCES = t/2001-hdr-split.c
t_2001_hdr_split_LDADD = $(T_LIBS)
TESTS += t/0001-util-read t/2001-hdr-split

dist_check_SCRIPTS += t/9001-cli-postfix-dryrun.sh
TESTS += t/9001-cli-postfix-dryrun.sh
EXTRA_DIST += t/lib/tap.sh
dist_check_SCRIPTS += t/9601-live-postfix-purge.sh
TESTS += t/9601-live-postfix-purge.sh
