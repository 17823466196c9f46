# core: utilities, the message record, header splitting, the parser
# registry, the scan pipeline and the reports.
libqscan_a_SOURCES += qscan/qs_limits.h qscan/log.c qscan/log.h qscan/msg.c qscan/msg.h \
	qscan/util.c qscan/util.h qscan/hdr.c qscan/hdr.h \
	parsers/parser.h parsers/registry.c

check_PROGRAMS += t/0001-util-read t/2001-hdr-split
t_0001_util_read_SOURCES = t/0001-util-read.c
t_0001_util_read_LDADD = $(T_LIBS)
t_2001_hdr_split_SOURCES = t/2001-hdr-split.c
t_2001_hdr_split_LDADD = $(T_LIBS)
TESTS += t/0001-util-read t/2001-hdr-split
