/*
 * explain.c - `qscan explain [--json] QUEUE_DIR ID | FILE`: every fact
 * and rule behind one message's verdict (shared/CLI.md). A FILE is a
 * plain RFC 5322 message judged with an unknown envelope.
 */
#include "config.h"
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "classify.h"
#include "eml.h"
#include "explain_out.h"
#include "cli.h"
#include "log.h"
#include "parser.h"
#include "qs_limits.h"
#include "util.h"

static gboolean opt_json;
static char *opt_config, *opt_format;
static char **opt_local_domains, **opt_trusted, **opt_args;

static const GOptionEntry entries[] = {
	{ "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, "one JSON object", NULL },
	{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &opt_config, "configuration file", "FILE" },
	{ "format", 0, 0, G_OPTION_ARG_STRING, &opt_format, "queue format (default: detect)", "FMT" },
	{ "local-domain", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_local_domains, "add a local domain", "DOMAIN" },
	{ "trusted-network", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_trusted, "add a trusted network", "CIDR" },
	{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_args, NULL, "QUEUE_DIR ID | FILE" },
	{ NULL },
};

/* load_queued - walk QUEUE_DIR until the message with this id (or path) */
static int load_queued(const char *root, const char *id, struct qs_msg *m, struct qs_config *cfg)
{
	int fd = qs_cli_open_root(root);
	const struct qs_parser *p;
	struct qs_walk *w;
	struct qs_item it;
	GString *why = g_string_new(NULL);
	GError *err = NULL;
	int n, found = 0;

	p = opt_format ? qs_parser_by_name(opt_format) : qs_parser_detect(fd, root, why, &err);
	if (p == NULL)
		qs_fatal(QS_EXIT_USAGE, "%s", err ? err->message : "unknown --format");
	if (!cfg->local_domains_configured)
		qs_config_mta_defaults(cfg, p->name, root);
	w = p->walk_new(fd, root, &err);
	if (w == NULL)
		qs_fatal(QS_EXIT_USAGE, "%s", err->message);
	qs_item_init(&it);
	while ((n = p->walk_next(w, &it, &err)) != 0) {
		if (n < 0) {
			g_clear_error(&err);
			continue;
		}
		if (strcmp(it.id, id) == 0 || strcmp(it.path, id) == 0) {
			found = 1;
			break;
		}
		qs_item_clear(&it);
	}
	if (found) {
		m->format = p->name;
		if (p->load(fd, &it, m) == QS_LOAD_SKIP)
			qs_msg_fail(m, QS_ERR_UNREADABLE, "%s: not a finished message (still being written?)", it.path);
		if (m->id == NULL)
			m->id = g_strdup(it.id);
		if (m->path == NULL)
			m->path = g_strdup(it.path);
	}
	qs_item_clear(&it);
	g_ptr_array_free(it.files, TRUE);
	p->walk_free(w);
	g_string_free(why, TRUE);
	close(fd);
	return found ? 0 : -1;
}

int qs_cmd_explain(int argc, char **argv)
{
	GOptionContext *ctx = g_option_context_new(NULL);
	struct qs_config *cfg;
	struct qs_judge_ctx *jc;
	struct qs_judgement j;
	struct qs_msg *m = qs_msg_new();
	GError *err = NULL;
	char **p;
	int nargs, rc;

	g_option_context_add_main_entries(ctx, entries, NULL);
	qs_cli_parse(ctx, &argc, &argv);
	g_option_context_free(ctx);
	nargs = opt_args ? (int)g_strv_length(opt_args) : 0;
	if (nargs < 1 || nargs > 2)
		qs_fatal(QS_EXIT_USAGE, "usage: qscan explain [--json] QUEUE_DIR ID | FILE");
	cfg = qs_cli_config(opt_config);
	for (p = opt_local_domains; p && *p; p++)
		if (qs_config_add_local_domain(cfg, *p, "command line", &err) < 0)
			qs_fatal(QS_EXIT_USAGE, "--local-domain %s: %s", *p, err->message);
	for (p = opt_trusted; p && *p; p++)
		if (qs_config_add_trusted_network(cfg, *p, &err) < 0)
			qs_fatal(QS_EXIT_USAGE, "--trusted-network %s: %s", *p, err->message);
	if (nargs == 1)
		qs_eml_load(opt_args[0], m, true);	/* X-Qscan-* envelope lines, if any */
	else if (load_queued(opt_args[0], opt_args[1], m, cfg) < 0)
		qs_fatal(QS_EXIT_USAGE, "%s: no message with id or path '%s' in this queue", opt_args[0], opt_args[1]);
	jc = qs_judge_ctx_new(cfg);
	qs_judgement_init(&j);
	qs_judge(jc, m, &j);
	if (opt_json)
		explain_json(m, &j);
	else
		explain_text(m, &j);
	rc = j.verdict == QS_VERDICT_RELAY ? QS_EXIT_RELAY : QS_EXIT_OK;
	qs_judgement_clear(&j);
	qs_judge_ctx_free(&jc);
	qs_msg_free(&m);
	qs_config_free(&cfg);
	return rc;
}
