# Received-chain parser: received.c walks the clauses, received_lex.c
# cuts words and comments, received_rules.c reads what comments say,
# received_out.c builds the fields, received_ip.c canonicalises
# addresses.
libqscan_a_SOURCES += qscan/received.c qscan/received.h qscan/received_int.h \
	qscan/received_rules.h qscan/received_lex.c qscan/received_ip.c \
	qscan/received_rules.c qscan/received_out.c
