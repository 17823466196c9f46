# configuration, addresses, the POLICY.md judgement.
libqscan_a_SOURCES += qscan/conf.c qscan/conf.h qscan/addr.c qscan/addr.h \
	qscan/classify.c qscan/classify.h
# config work: networks, the configuration file reader, MTA control files.
libqscan_a_SOURCES += qscan/net.c qscan/confload.c qscan/confpriv.h qscan/mtaconf.c
check_PROGRAMS += t/4001-addr-tricks
t_4001_addr_tricks_SOURCES = t/4001-addr-tricks.c
t_4001_addr_tricks_LDADD = $(T_LIBS)
TESTS += t/4001-addr-tricks
check_PROGRAMS += t/4002-net-cidr
t_4002_net_cidr_SOURCES = t/4002-net-cidr.c
t_4002_net_cidr_LDADD = $(T_LIBS)
TESTS += t/4002-net-cidr
check_PROGRAMS += t/4101-conf-file
t_4101_conf_file_SOURCES = t/4101-conf-file.c
t_4101_conf_file_LDADD = $(T_LIBS)
TESTS += t/4101-conf-file
EXTRA_DIST += t/data/conf/good.conf
check_PROGRAMS += t/4102-conf-mta
t_4102_conf_mta_SOURCES = t/4102-conf-mta.c
t_4102_conf_mta_LDADD = $(T_LIBS)
TESTS += t/4102-conf-mta
# policy engine: origin/ours detection, DSN originals, .eml loading
libqscan_a_SOURCES += qscan/origin.c qscan/origin.h qscan/dsn.c qscan/dsn.h \
	qscan/eml.c qscan/eml.h qscan/judgement.c qscan/policy_int.h
check_PROGRAMS += t/4201-policy-corpus t/4202-policy-rules
t_4201_policy_corpus_SOURCES = t/4201-policy-corpus.c
t_4201_policy_corpus_LDADD = $(T_LIBS)
t_4202_policy_rules_SOURCES = t/4202-policy-rules.c
t_4202_policy_rules_LDADD = $(T_LIBS)
TESTS += t/4201-policy-corpus t/4202-policy-rules
EXTRA_DIST += t/data/corpus t/data/policy-dsn
