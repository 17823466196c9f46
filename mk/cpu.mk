# CPU fast paths (hdr.c, util.c, net.c, plainmsg.c, received_lex.c): each checked
# against the general code it stands in for.
check_PROGRAMS += t/4003-cpu-fastpaths
t_4003_cpu_fastpaths_SOURCES = t/4003-cpu-fastpaths.c
t_4003_cpu_fastpaths_LDADD = $(T_LIBS)
TESTS += t/4003-cpu-fastpaths
check_PROGRAMS += t/4004-cpu-shortcuts
t_4004_cpu_shortcuts_SOURCES = t/4004-cpu-shortcuts.c
t_4004_cpu_shortcuts_LDADD = $(T_LIBS)
TESTS += t/4004-cpu-shortcuts
