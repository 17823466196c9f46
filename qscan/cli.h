/*
 * cli.h - the subcommands of the qscan program (shared/CLI.md). Each
 * takes the arguments after its name and returns the exit status.
 */
#ifndef QS_CLI_H
#define QS_CLI_H

#include <glib.h>
#include "conf.h"

#define QS_EXIT_OK	0	/* no relay message */
#define QS_EXIT_RELAY	1	/* relay messages found (and acted on) */
#define QS_EXIT_USAGE	2	/* usage or configuration error; nothing done */
#define QS_EXIT_PARTIAL	3	/* some messages could not be read or acted on */
#define QS_EXIT_LOCKED	4	/* another qscan holds the queue lock */

int qs_cmd_scan(int argc, char **argv);
int qs_cmd_explain(int argc, char **argv);
int qs_cmd_inventory(int argc, char **argv);
int qs_cmd_quarantine(int argc, char **argv);
int qs_cmd_stats(int argc, char **argv);
int qs_cmd_blocklist(int argc, char **argv);
int qs_cmd_report(int argc, char **argv);

/* common: -c FILE / --config; loads defaults + file; exits 2 on error */
struct qs_config *qs_cli_config(const char *path);
/* open a queue root directory (the root itself may be a symlink) */
int qs_cli_open_root(const char *root);
/* parse with GOptionContext; on error print it and exit 2 */
void qs_cli_parse(GOptionContext *ctx, int *argc, char ***argv);

#endif
