# reports: what reads the database back out (stats, block lists, the
# HTML report) and the operator files (man pages, systemd, cron, bash
# completion).
libqscan_a_SOURCES += db/dbread.c db/dbread.h db/stats.c db/stats_fmt.c db/stats.h \
	db/blocklist.c db/blocklist_fmt.c db/blocklist.h \
	db/report_html.c db/report_html.h
