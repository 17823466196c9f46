# configuration, addresses, the POLICY.md judgement.
libqscan_a_SOURCES += qscan/conf.c qscan/conf.h qscan/addr.c qscan/addr.h \
	qscan/classify.c qscan/classify.h
# config work: networks, the configuration file reader, MTA control files.
libqscan_a_SOURCES += qscan/net.c qscan/confload.c qscan/confpriv.h qscan/mtaconf.c
