# Postfix queue reader: record reader, queue IDs, walk, load.
libqscan_a_SOURCES += parsers/postfix.c parsers/postfix_int.h \
	parsers/postfix_id.c parsers/postfix_walk.c parsers/postfix_logs.c \
	parsers/postfix_rec.c parsers/postfix_rec.h

# pfdump: walks a queue with the reader, one JSON line per message (tests).
check_PROGRAMS += t/pfdump t/1001-postfix-fixtures t/1002-postfix-bad
t_pfdump_SOURCES = t/pfdump.c
t_pfdump_LDADD = $(T_LIBS)
t_1001_postfix_fixtures_SOURCES = t/1001-postfix-fixtures.c t/pftest.h t/pftest.c
t_1001_postfix_fixtures_LDADD = $(T_LIBS)
t_1002_postfix_bad_SOURCES = t/1002-postfix-bad.c t/pftest.h t/pftest.c
t_1002_postfix_bad_LDADD = $(T_LIBS)
check_PROGRAMS += t/1004-postfix-logfiles
t_1004_postfix_logfiles_SOURCES = t/1004-postfix-logfiles.c t/pftest.h t/pftest.c
t_1004_postfix_logfiles_LDADD = $(T_LIBS)
TESTS += t/1004-postfix-logfiles
TESTS += t/1001-postfix-fixtures t/1002-postfix-bad t/1003-postfix-live.sh
dist_check_SCRIPTS += t/1003-postfix-live.sh t/lib/postfix-instance.sh
EXTRA_DIST += t/data/postfix/qs-tagmilter.py
