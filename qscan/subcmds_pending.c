/* subcmds_pending.c - subcommands whose library parts land separately. */
#include "config.h"
#include "cli.h"
#include "log.h"

#define PENDING(fn, name) \
	int fn(int argc, char **argv) \
	{ \
		qs_fatal(QS_EXIT_USAGE, "'qscan %s' is not available in this build yet", name); \
	}

PENDING(qs_cmd_quarantine, "quarantine")

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
