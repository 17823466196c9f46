# configuration, addresses, the POLICY.md judgement.
libqscan_a_SOURCES += qscan/conf.c qscan/conf.h qscan/addr.c qscan/addr.h \
	qscan/classify.c qscan/classify.h
