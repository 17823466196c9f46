/*
 * quarantine_cmd.c - `qscan quarantine list | show ID | restore ID... |
 * expire [--older-than DAYS]`: the quarantine store and its manifest.
 */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include "act.h"
#include "cli.h"
#include "log.h"
#include "quarantine.h"

static gboolean opt_json;
static char *opt_config, *opt_db, *opt_qdir;
static int opt_days = -1;
static char **opt_args;

static const GOptionEntry entries[] = {
	{ "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, "one JSON object per line", NULL },
	{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &opt_config, "configuration file", "FILE" },
	{ "db", 0, 0, G_OPTION_ARG_FILENAME, &opt_db, "SQLite database", "FILE" },
	{ "quarantine-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_qdir, "quarantine store", "DIR" },
	{ "older-than", 0, 0, G_OPTION_ARG_INT, &opt_days, "expire: quarantined more than DAYS ago (default 30)", "DAYS" },
	{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_args, NULL, "list|show ID|restore ID...|expire" },
	{ NULL },
};

static int run(struct qs_db *db, const char *qdir, const char *verb, char **ids, GString *out, GError **err)
{
	guint n = ids ? g_strv_length(ids) : 0;

	if (strcmp(verb, "list") == 0 && n == 0)
		return qs_quarantine_list(db, qdir, out, opt_json, err);
	if (strcmp(verb, "show") == 0 && n == 1)
		return qs_quarantine_show(db, qdir, ids[0], out, opt_json, err);
	if (strcmp(verb, "restore") == 0 && n >= 1)
		return qs_quarantine_restore(db, qdir, (const char *const *)ids, out, opt_json, err);
	if (strcmp(verb, "expire") == 0 && n == 0)
		return qs_quarantine_expire(db, qdir, opt_days >= 0 ? (guint)opt_days : 30, out, opt_json, err);
	qs_fatal(QS_EXIT_USAGE, "usage: qscan quarantine list | show ID | restore ID... | "
		 "expire [--older-than DAYS]");
}

int qs_cmd_quarantine(int argc, char **argv)
{
	GOptionContext *ctx = g_option_context_new(NULL);
	struct qs_config *cfg;
	struct qs_db *db;
	GString *out = g_string_new(NULL);
	GError *err = NULL;
	int rc;

	g_option_context_set_summary(ctx, "List, show, restore or expire quarantined messages.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	qs_cli_parse(ctx, &argc, &argv);
	g_option_context_free(ctx);
	if (opt_args == NULL || opt_args[0] == NULL)
		qs_fatal(QS_EXIT_USAGE, "usage: qscan quarantine list | show ID | restore ID... | expire");
	cfg = qs_cli_config(opt_config);
	if (opt_db) {
		g_free(cfg->database);
		cfg->database = g_strdup(opt_db);
	}
	if (opt_qdir) {
		g_free(cfg->quarantine_dir);
		cfg->quarantine_dir = g_strdup(opt_qdir);
	}
	/* writable: unfinished moves of an earlier, killed run are finished first */
	db = qs_db_open(cfg->database, true, &err);
	if (db == NULL)
		qs_fatal(QS_EXIT_USAGE, "%s", err->message);
	rc = run(db, cfg->quarantine_dir, opt_args[0], opt_args + 1, out, &err);
	fputs(out->str, stdout);
	fflush(stdout);
	if (rc < 0) {
		qs_error("%s", err->message);
		rc = err->code == QS_ACT_LOCKED ? QS_EXIT_LOCKED :
		     strcmp(opt_args[0], "restore") == 0 || strcmp(opt_args[0], "expire") == 0 ?
		     QS_EXIT_PARTIAL : QS_EXIT_USAGE;
		g_error_free(err);
	}
	qs_db_close(&db);
	g_string_free(out, TRUE);
	qs_config_free(&cfg);
	return rc;
}
