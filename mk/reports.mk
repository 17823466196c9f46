# reports: what reads the database back out (stats, block lists, the
# HTML report) and the operator files (man pages, systemd, cron, bash
# completion).
libqscan_a_SOURCES += db/dbread.c db/dbread.h db/stats.c db/stats_fmt.c db/stats.h \
	db/blocklist.c db/blocklist_fmt.c db/blocklist.h \
	db/report_html.c db/report_html.h db/report_cmds.c db/report_cmds.h

R_TEST = t/reports_db.c t/reports_db.h
check_PROGRAMS += t/7001-stats-report
t_7001_stats_report_SOURCES = t/7001-stats-report.c $(R_TEST)
t_7001_stats_report_LDADD = $(T_LIBS)
TESTS += t/7001-stats-report
# the tests build their databases from the schema contract
EXTRA_DIST += t/data/reports db/schema.sql
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

# operator files: systemd units (nightly run), a cron example, bash completion
dist_check_SCRIPTS += t/7081-stats-bash-completion.sh t/7082-stats-systemd-cron.sh
TESTS += t/7081-stats-bash-completion.sh t/7082-stats-systemd-cron.sh
R_SUBST = sed -e 's|@bindir[@]|$(bindir)|g' -e 's|@localstatedir[@]|$(localstatedir)|g'
systemdunitdir = $(prefix)/lib/systemd/system
nodist_systemdunit_DATA = systemd/qscan.service
dist_systemdunit_DATA = scripts/qscan.timer
nodist_doc_DATA = systemd/qscan.cron
bashcompletiondir = $(datadir)/bash-completion/completions
nodist_bashcompletion_DATA = completions/qscan
EXTRA_DIST += scripts/qscan.service scripts/qscan.cron scripts/qscan.bash-completion
CLEANFILES += systemd/qscan.service systemd/qscan.cron completions/qscan

systemd/qscan.service: $(srcdir)/scripts/qscan.service Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && $(R_SUBST) $(srcdir)/scripts/qscan.service > $@.tmp && mv $@.tmp $@
systemd/qscan.cron: $(srcdir)/scripts/qscan.cron Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && $(R_SUBST) $(srcdir)/scripts/qscan.cron > $@.tmp && mv $@.tmp $@
# the completion file must be named like the command
completions/qscan: $(srcdir)/scripts/qscan.bash-completion
	$(AM_V_GEN)$(MKDIR_P) completions && cp $(srcdir)/scripts/qscan.bash-completion $@
check_PROGRAMS += t/7002-stats-store
t_7002_stats_store_SOURCES = t/7002-stats-store.c
t_7002_stats_store_LDADD = $(T_LIBS)
TESTS += t/7002-stats-store
check_PROGRAMS += t/7003-stats-cli
t_7003_stats_cli_SOURCES = t/7003-stats-cli.c $(R_TEST)
t_7003_stats_cli_LDADD = $(T_LIBS)
TESTS += t/7003-stats-cli
