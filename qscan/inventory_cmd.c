/* inventory_cmd.c - `qscan inventory [--json] [--format FMT] QUEUE_DIR`. */
#include "config.h"
#include <stdio.h>
#include <unistd.h>
#include "cli.h"
#include "inventory.h"
#include "log.h"

static gboolean opt_json;
static char *opt_format;
static char **opt_args;

static const GOptionEntry entries[] = {
	{ "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, "one JSON object", NULL },
	{ "format", 0, 0, G_OPTION_ARG_STRING, &opt_format, "take this format instead of detecting", "FMT" },
	{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_args, NULL, "QUEUE_DIR" },
	{ NULL },
};

int qs_cmd_inventory(int argc, char **argv)
{
	GOptionContext *ctx = g_option_context_new(NULL);
	const struct qs_parser *forced = NULL;
	GString *out = g_string_new(NULL);
	GError *err = NULL;
	int fd, rc;

	g_option_context_set_summary(ctx, "What format a queue directory has, which files it holds, "
				     "and which files qscan could not place.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	qs_cli_parse(ctx, &argc, &argv);
	g_option_context_free(ctx);
	if (opt_args == NULL || opt_args[0] == NULL || opt_args[1] != NULL)
		qs_fatal(QS_EXIT_USAGE, "usage: qscan inventory [--json] [--format FMT] QUEUE_DIR");
	if (opt_format && g_strcmp0(opt_format, "auto") != 0 &&
	    (forced = qs_parser_by_name(opt_format)) == NULL)
		qs_fatal(QS_EXIT_USAGE, "--format %s: unknown (postfix, qmail, mdaemon, icewarp, merak)", opt_format);
	fd = qs_cli_open_root(opt_args[0]);
	rc = qs_inventory(fd, opt_args[0], forced, out, opt_json, &err);
	close(fd);
	if (rc < 0)
		qs_fatal(QS_EXIT_USAGE, "%s", err->message);
	fputs(out->str, stdout);
	g_string_free(out, TRUE);
	return QS_EXIT_OK;
}
