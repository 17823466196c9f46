/* report_cmds.c - option parsing for stats, blocklist and report; see report_cmds.h. */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include "blocklist.h"
#include "conf.h"
#include "report_cmds.h"
#include "report_html.h"
#include "stats.h"
#include "util.h"

#define EXIT_USAGE 2

struct common {
	char *config, *db;
	struct qs_config *cfg;
};

static void common_entries(GOptionContext *ctx, struct common *c)
{
	GOptionEntry e[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &c->config, "configuration file", "FILE" },
		{ "db", 0, 0, G_OPTION_ARG_FILENAME, &c->db, "SQLite database", "FILE" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};

	g_option_context_add_main_entries(ctx, e, NULL);
}

static int fail(const char *cmd, const char *msg)
{
	fprintf(stderr, "qscan %s: %s\n", cmd, msg);
	return EXIT_USAGE;
}

/* parse - options, no operands left, then the configuration */
static int parse(GOptionContext *ctx, struct common *c, int argc, char **argv)
{
	GError *err = NULL;
	int rc = 0;

	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		rc = fail(argv[0], err->message);
	} else if (argc > 1) {
		char *m = g_strdup_printf("unexpected argument '%s' (see --help)", argv[1]);
		rc = fail(argv[0], m);
		g_free(m);
	} else {
		c->cfg = qs_config_new();
		/* the default file may be absent; one named with -c must exist */
		if (qs_config_load(c->cfg, c->config ? c->config : SYSCONFDIR "/qscan.conf",
				   c->config != NULL, &err) < 0)
			rc = fail(argv[0], err->message);
	}
	g_clear_error(&err);
	return rc;
}

static void common_free(struct common *c, GOptionContext *ctx)
{
	g_free(c->config);
	g_free(c->db);
	if (c->cfg)
		qs_config_free(&c->cfg);
	g_option_context_free(ctx);
}

static const char *db_path(const struct common *c)
{
	return c->db ? c->db : c->cfg->database;
}

/* range - a number option: -1 = not given, else 1..max */
static int range(const char *cmd, const char *opt, gint v, gint max)
{
	char *m;

	if (v == -1 || (v >= 1 && v <= max))
		return 0;
	m = g_strdup_printf("--%s must be 1 to %d", opt, max);
	fail(cmd, m);
	g_free(m);
	return -1;
}

static int emit(const char *cmd, int rc, GString *out, GError *err)
{
	if (rc < 0)
		rc = fail(cmd, err->message);
	else if (fwrite(out->str, 1, out->len, stdout) != out->len || fflush(stdout) != 0)
		rc = fail(cmd, "cannot write to stdout");
	g_clear_error(&err);
	g_string_free(out, TRUE);
	return rc;
}

int qs_reports_stats_main(int argc, char **argv)
{
	struct common c = { 0 };
	gint days = -1;
	gboolean json = FALSE;
	GOptionEntry e[] = {
		{ "days", 0, 0, G_OPTION_ARG_INT, &days, "days counted, today included (7)", "N" },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json, "one JSON object per line", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionContext *ctx = g_option_context_new("- per-IP, per-user, per-domain counts");
	GError *err = NULL;
	int rc;

	g_option_context_add_main_entries(ctx, e, NULL);
	common_entries(ctx, &c);
	rc = parse(ctx, &c, argc, argv);
	if (rc == 0 && range("stats", "days", days, QS_STATS_MAX_DAYS) < 0)
		rc = EXIT_USAGE;
	if (rc == 0) {
		GString *out = g_string_new(NULL);
		rc = qs_stats_print(db_path(&c), (guint)MAX(days, 0), json, out, &err);
		rc = emit("stats", rc, out, err);
	}
	common_free(&c, ctx);
	return rc;
}

int qs_reports_blocklist_main(int argc, char **argv)
{
	struct common c = { 0 };
	gint threshold = -1, window = -1;
	char *format = NULL;
	GOptionEntry e[] = {
		{ "format", 0, 0, G_OPTION_ARG_STRING, &format, "tcprules, postfix, nft, ipset or plain", "FMT" },
		{ "threshold", 0, 0, G_OPTION_ARG_INT, &threshold, "relay messages that make a candidate", "N" },
		{ "window", 0, 0, G_OPTION_ARG_INT, &window, "days counted, today included", "DAYS" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionContext *ctx = g_option_context_new("- block candidates for a firewall or MTA");
	GError *err = NULL;
	int rc;

	g_option_context_add_main_entries(ctx, e, NULL);
	common_entries(ctx, &c);
	rc = parse(ctx, &c, argc, argv);
	if (rc == 0 && (range("blocklist", "threshold", threshold, 1000000) < 0 ||
			range("blocklist", "window", window, 3650) < 0))
		rc = EXIT_USAGE;
	if (rc == 0) {
		GString *out = g_string_new(NULL);
		rc = qs_blocklist_print(db_path(&c), c.cfg, format ? format : "plain",
					(guint)MAX(threshold, 0), (guint)MAX(window, 0), out, &err);
		rc = emit("blocklist", rc, out, err);
	}
	g_free(format);
	common_free(&c, ctx);
	return rc;
}

int qs_reports_report_main(int argc, char **argv)
{
	struct common c = { 0 };
	gint days = -1;
	char *html = NULL;
	GOptionEntry e[] = {
		{ "html", 0, 0, G_OPTION_ARG_FILENAME, &html, "write the HTML page to FILE (- = stdout)", "FILE" },
		{ "days", 0, 0, G_OPTION_ARG_INT, &days, "days shown, today included (7)", "N" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionContext *ctx = g_option_context_new("--html FILE - one self-contained HTML page");
	GError *err = NULL;
	int rc;

	g_option_context_add_main_entries(ctx, e, NULL);
	common_entries(ctx, &c);
	rc = parse(ctx, &c, argc, argv);
	if (rc == 0 && range("report", "days", days, QS_STATS_MAX_DAYS) < 0)
		rc = EXIT_USAGE;
	if (rc == 0 && html == NULL)
		rc = fail("report", "--html FILE is required (the only report format)");
	if (rc == 0 && qs_report_html_cfg(db_path(&c), html, (guint)MAX(days, 0), c.cfg,
					  g_get_real_time() / G_USEC_PER_SEC, &err) < 0)
		rc = fail("report", err->message);
	g_clear_error(&err);
	g_free(html);
	common_free(&c, ctx);
	return rc;
}
