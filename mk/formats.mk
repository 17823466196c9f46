# qmail, MDaemon and Merak/IceWarp queue readers, shared plain-file
# helpers, and `qscan inventory`.
libqscan_a_SOURCES += parsers/qmail.c parsers/dirset.c parsers/dirset.h parsers/mdaemon.c parsers/icewarp.c \
	parsers/plainmsg.c parsers/plainmsg.h \
	parsers/inventory.c parsers/inventory.h

check_LIBRARIES += t/libfmtcheck.a
t_libfmtcheck_a_SOURCES = t/lib/fmtcheck.c t/lib/fmtcheck.h
FMT_T_LIBS = t/libfmtcheck.a $(T_LIBS)

check_PROGRAMS += t/1101-qmail-fixtures
t_1101_qmail_fixtures_LDADD = $(FMT_T_LIBS)
TESTS += t/1101-qmail-fixtures
check_PROGRAMS += t/1102-qmail-layouts
t_1102_qmail_layouts_LDADD = $(FMT_T_LIBS)
TESTS += t/1102-qmail-layouts
check_PROGRAMS += t/1103-qmail-listing
t_1103_qmail_listing_LDADD = $(FMT_T_LIBS)
TESTS += t/1103-qmail-listing
check_PROGRAMS += t/1201-mdaemon-queue
t_1201_mdaemon_queue_LDADD = $(FMT_T_LIBS)
TESTS += t/1201-mdaemon-queue
TESTS += t/1202-mdaemon-listing.sh
EXTRA_DIST += t/1202-mdaemon-listing.sh
check_PROGRAMS += t/1301-icewarp-queue
t_1301_icewarp_queue_LDADD = $(FMT_T_LIBS)
TESTS += t/1301-icewarp-queue
check_PROGRAMS += t/1401-detect-formats
t_1401_detect_formats_LDADD = $(FMT_T_LIBS)
TESTS += t/1401-detect-formats
check_PROGRAMS += t/1402-detect-inventory
t_1402_detect_inventory_LDADD = $(FMT_T_LIBS)
TESTS += t/1402-detect-inventory
