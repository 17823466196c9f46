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
PENDING(qs_cmd_stats, "stats")
PENDING(qs_cmd_blocklist, "blocklist")
PENDING(qs_cmd_report, "report")
