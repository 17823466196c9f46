# configuration, addresses, the POLICY.md judgement.
libqscan_a_SOURCES += qscan/conf.c qscan/conf.h qscan/addr.c qscan/addr.h \
	qscan/classify.c qscan/classify.h
# policy engine: origin/ours detection, DSN originals, .eml loading
libqscan_a_SOURCES += qscan/origin.c qscan/origin.h qscan/dsn.c qscan/dsn.h \
	qscan/eml.c qscan/eml.h
