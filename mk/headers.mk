# Received-chain parser: received.c walks the clauses, received_lex.c
# cuts words and comments, received_rules.c reads what comments say,
# received_out.c builds the fields, received_ip.c canonicalises
# addresses.
libqscan_a_SOURCES += qscan/received.c qscan/received.h qscan/received_int.h \
	qscan/received_rules.h qscan/received_lex.c qscan/received_ip.c \
	qscan/received_rules.c qscan/received_out.c

check_PROGRAMS += t/3001-received-table t/3002-received-fuzzish
t_3001_received_table_SOURCES = t/3001-received-table.c
t_3001_received_table_LDADD = $(T_LIBS)
t_3002_received_fuzzish_SOURCES = t/3002-received-fuzzish.c
t_3002_received_fuzzish_LDADD = $(T_LIBS)
TESTS += t/3001-received-table t/3002-received-fuzzish
EXTRA_DIST += t/data/received/cases.txt
