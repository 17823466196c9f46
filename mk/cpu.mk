# CPU fast paths (hdr.c, util.c, net.c, plainmsg.c): each checked
# against the general code it stands in for.
check_PROGRAMS += t/4003-cpu-fastpaths
t_4003_cpu_fastpaths_SOURCES = t/4003-cpu-fastpaths.c
t_4003_cpu_fastpaths_LDADD = $(T_LIBS)
TESTS += t/4003-cpu-fastpaths
