# reports: what reads the database back out (stats, block lists, the
# HTML report) and the operator files (man pages, systemd, cron, bash
# completion).
libqscan_a_SOURCES += db/dbread.c db/dbread.h db/stats.c db/stats_fmt.c db/stats.h \
	db/blocklist.c db/blocklist_fmt.c db/blocklist.h \
	db/report_html.c db/report_html.h

R_TEST = t/reports_db.c t/reports_db.h
check_PROGRAMS += t/7001-stats-report
t_7001_stats_report_SOURCES = t/7001-stats-report.c $(R_TEST)
t_7001_stats_report_LDADD = $(T_LIBS)
TESTS += t/7001-stats-report
EXTRA_DIST += t/data/reports
check_PROGRAMS += t/7101-blocklist-formats
t_7101_blocklist_formats_SOURCES = t/7101-blocklist-formats.c $(R_TEST)
t_7101_blocklist_formats_LDADD = $(T_LIBS)
TESTS += t/7101-blocklist-formats
check_PROGRAMS += t/7102-blocklist-trusted
t_7102_blocklist_trusted_SOURCES = t/7102-blocklist-trusted.c $(R_TEST)
t_7102_blocklist_trusted_LDADD = $(T_LIBS)
TESTS += t/7102-blocklist-trusted
check_PROGRAMS += t/7201-html-report
t_7201_html_report_SOURCES = t/7201-html-report.c $(R_TEST)
t_7201_html_report_LDADD = $(T_LIBS)
TESTS += t/7201-html-report
dist_check_SCRIPTS += t/7080-stats-manpages.sh
TESTS += t/7080-stats-manpages.sh

# man pages
dist_man_MANS += doc/qscan.1 doc/qscan.conf.5
