# CPU fast paths (hdr.c, hdr_word.c, util.c, net.c, plainmsg.c, received_lex.c,
# received_ip.c): each checked
# against the general code it stands in for.
libqscan_a_SOURCES += qscan/hdr_word.c
check_PROGRAMS += t/4003-cpu-fastpaths
t_4003_cpu_fastpaths_SOURCES = t/4003-cpu-fastpaths.c
t_4003_cpu_fastpaths_LDADD = $(T_LIBS)
TESTS += t/4003-cpu-fastpaths
check_PROGRAMS += t/4004-cpu-shortcuts
t_4004_cpu_shortcuts_SOURCES = t/4004-cpu-shortcuts.c
t_4004_cpu_shortcuts_LDADD = $(T_LIBS)
TESTS += t/4004-cpu-shortcuts
TESTS += t/4005-cpu-pipeline-runs.sh
EXTRA_DIST += t/4005-cpu-pipeline-runs.sh
