/*
 * report_cmds.h - the command lines of `qscan stats`, `qscan blocklist`
 * and `qscan report` (doc/qscan.1), ready for qscan/main.c: each takes
 * the arguments from the subcommand name on (argv[0] = "stats") and
 * returns the exit status: 0 done, 2 usage, configuration or database
 * error (the message, naming the file, is on stderr). Output goes to
 * stdout (report: to the --html FILE). Common options: -c/--config
 * FILE (default SYSCONFDIR/qscan.conf, may be absent) and --db FILE
 * (default: the configuration's database).
 */
#ifndef QS_REPORT_CMDS_H
#define QS_REPORT_CMDS_H

int qs_reports_stats_main(int argc, char **argv);
int qs_reports_blocklist_main(int argc, char **argv);
int qs_reports_report_main(int argc, char **argv);

#endif
