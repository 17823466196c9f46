/* subcmds_db.c - the subcommands that read the database (db/report_cmds.c). */
#include "config.h"
#include "cli.h"
#include "log.h"

/* the database read side lives in db/ (report_cmds.c) */
#include "report_cmds.h"

int qs_cmd_stats(int argc, char **argv)
{
	return qs_reports_stats_main(argc, argv);
}

int qs_cmd_blocklist(int argc, char **argv)
{
	return qs_reports_blocklist_main(argc, argv);
}

int qs_cmd_report(int argc, char **argv)
{
	return qs_reports_report_main(argc, argv);
}
