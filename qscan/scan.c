/*
 * scan.c - `qscan [scan]`: classify every message of one or more queues,
 * then quarantine, delete or hold the relay ones (or only report with
 * --dry-run), record the run in SQLite and exit per shared/CLI.md.
 */
#include "config.h"
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "act.h"
#include "cli.h"
#include "db.h"
#include "log.h"
#include "pipeline.h"
#include "plainmsg.h"
#include "progress.h"
#include "report.h"
#include "util.h"

struct scan_opts {
	gboolean dry_run, quarantine, delete, hold, yes, json, strict, quiet, no_progress;
	int verbose, jobs, min_age;
	char *format, *config, *db, *qdir, *show;
	char **local_domains, **trusted_networks, **roots;
};

static struct scan_opts O;

static gboolean more_verbose(const char *n, const char *v, gpointer d, GError **e)
{
	O.verbose++;
	return TRUE;
}

static const GOptionEntry entries[] = {
	{ "dry-run", 'n', 0, G_OPTION_ARG_NONE, &O.dry_run, "classify and report only: change nothing", NULL },
	{ "quarantine", 0, 0, G_OPTION_ARG_NONE, &O.quarantine, "move relay messages to the quarantine store (default)", NULL },
	{ "delete", 0, 0, G_OPTION_ARG_NONE, &O.delete, "remove relay messages for good", NULL },
	{ "hold", 0, 0, G_OPTION_ARG_NONE, &O.hold, "Postfix: put relay messages on hold", NULL },
	{ "yes", 'y', 0, G_OPTION_ARG_NONE, &O.yes, "do not ask for confirmation on a terminal", NULL },
	{ "format", 0, 0, G_OPTION_ARG_STRING, &O.format, "auto, postfix, qmail, mdaemon, icewarp (merak)", "FMT" },
	{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &O.config, "configuration file", "FILE" },
	{ "local-domain", 0, 0, G_OPTION_ARG_STRING_ARRAY, &O.local_domains, "add a local domain (.x = subdomains)", "DOMAIN" },
	{ "trusted-network", 0, 0, G_OPTION_ARG_STRING_ARRAY, &O.trusted_networks, "add a trusted network", "CIDR" },
	{ "strict", 0, 0, G_OPTION_ARG_NONE, &O.strict, "forged-local-sender becomes relay", NULL },
	{ "db", 0, 0, G_OPTION_ARG_FILENAME, &O.db, "SQLite database", "FILE" },
	{ "quarantine-dir", 0, 0, G_OPTION_ARG_FILENAME, &O.qdir, "quarantine store", "DIR" },
	{ "json", 0, 0, G_OPTION_ARG_NONE, &O.json, "one JSON object per line", NULL },
	{ "show", 0, 0, G_OPTION_ARG_STRING, &O.show, "verdicts listed one by one (default unsure,legit)", "VERDICTS" },
	{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &O.quiet, "less on stderr", NULL },
	{ "verbose", 'v', G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, (gpointer)more_verbose, "more on stderr (repeatable)", NULL },
	{ "no-progress", 0, 0, G_OPTION_ARG_NONE, &O.no_progress, "no progress bar", NULL },
	{ "jobs", 'j', 0, G_OPTION_ARG_INT, &O.jobs, "parallel workers (default: CPUs)", "N" },
	{ "min-age", 0, 0, G_OPTION_ARG_INT, &O.min_age, "MDaemon/IceWarp: skip files younger than this (default 5)", "SECONDS" },
	{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &O.roots, NULL, "QUEUE_DIR..." },
	{ NULL },
};

/* one scan of one queue, with what the result callback needs */
struct scan {
	const char *root;
	struct qs_report *report;
	struct qs_db *db;
	gint64 run_id;
	struct qs_progress *progress;
	guint64 db_errors;
	char *cmdline;		/* for the database's record of the run */
};

static void parse_show(struct qs_report_opts *ro)
{
	char **v, **p;

	ro->show[QS_VERDICT_UNSURE] = ro->show[QS_VERDICT_LEGIT] = true;
	if (O.show == NULL)
		return;
	ro->show[QS_VERDICT_UNSURE] = ro->show[QS_VERDICT_LEGIT] = false;
	v = g_strsplit_set(O.show, ",; ", -1);
	for (p = v; *p; p++) {
		if (strcmp(*p, "relay") == 0)
			ro->show[QS_VERDICT_RELAY] = true;
		else if (strcmp(*p, "legit") == 0)
			ro->show[QS_VERDICT_LEGIT] = true;
		else if (strcmp(*p, "unsure") == 0)
			ro->show[QS_VERDICT_UNSURE] = true;
		else if (strcmp(*p, "all") == 0)
			ro->show[0] = ro->show[1] = ro->show[2] = true;
		else if (**p && strcmp(*p, "none") != 0)
			qs_fatal(QS_EXIT_USAGE, "--show: unknown verdict '%s' (relay, legit, unsure, all, none)", *p);
	}
	g_strfreev(v);
}

static enum qs_action pick_action(const struct qs_config *cfg)
{
	int n = !!O.quarantine + !!O.delete + !!O.hold;

	if (n > 1)
		qs_fatal(QS_EXIT_USAGE, "--quarantine, --delete and --hold exclude each other");
	if (O.dry_run)
		return QS_ACTION_NONE;
	if (O.delete)
		return QS_ACTION_DELETE;
	if (O.hold)
		return QS_ACTION_HOLD;
	if (O.quarantine)
		return QS_ACTION_QUARANTINE;
	return cfg->action;
}

static void apply_overrides(struct qs_config *cfg)
{
	GError *err = NULL;
	char **p;

	for (p = O.local_domains; p && *p; p++)
		if (qs_config_add_local_domain(cfg, *p, "command line", &err) < 0)
			qs_fatal(QS_EXIT_USAGE, "--local-domain %s: %s", *p, err->message);
	for (p = O.trusted_networks; p && *p; p++)
		if (qs_config_add_trusted_network(cfg, *p, &err) < 0)
			qs_fatal(QS_EXIT_USAGE, "--trusted-network %s: %s", *p, err->message);
	if (O.strict)
		cfg->strict = true;
	if (O.db) {
		g_free(cfg->database);
		cfg->database = g_strdup(O.db);
	}
	if (O.qdir) {
		g_free(cfg->quarantine_dir);
		cfg->quarantine_dir = g_strdup(O.qdir);
	}
}

static void on_result(struct qs_result *r, void *data)
{
	struct scan *s = data;
	GError *err = NULL;

	qs_report_add(s->report, s->root, r);
	if (r->msg.err != QS_ERR_NONE)
		qs_info("%s: %s", r->msg.path ? r->msg.path : "?", r->msg.error);
	if (s->db && qs_db_record_quarantine(s->db, s->run_id, &r->msg, &r->j, r->action,
						      r->quarantine_uuid[0] ? r->quarantine_uuid : NULL,
						      &err) < 0) {
		if (s->db_errors++ == 0)
			qs_error("%s", err->message);
		g_clear_error(&err);
	}
	qs_progress_tick(s->progress);
}

static const struct qs_parser *pick_format(int fd, const char *root)
{
	GString *why = g_string_new(NULL);
	const struct qs_parser *p;
	GError *err = NULL;

	if (O.format && strcmp(O.format, "auto") != 0) {
		p = qs_parser_by_name(O.format);
		if (p == NULL)
			qs_fatal(QS_EXIT_USAGE, "--format %s: unknown (auto, postfix, qmail, mdaemon, icewarp, merak)",
				 O.format);
		qs_info("%s: format %s (from --format)", root, p->name);
	} else {
		p = qs_parser_detect(fd, root, why, &err);
		if (p == NULL)
			qs_fatal(QS_EXIT_USAGE, "%s", err->message);
		qs_info("%s: format %s; evidence:\n%s", root, p->name, why->str);
	}
	g_string_free(why, TRUE);
	return p;
}

static void say_local_domains(const struct qs_config *cfg)
{
	if (cfg->local_domains->len == 0)
		qs_warn("no local domain is known: no recipient counts as local "
			"(use --local-domain or local_domains in qscan.conf)");
	qs_config_describe(cfg);	/* MTA-file notes were shown as they were made */
}

static const char *action_name(enum qs_action a)
{
	switch (a) {
	case QS_ACTION_QUARANTINE: return "quarantine";
	case QS_ACTION_DELETE: return "delete";
	case QS_ACTION_HOLD: return "hold";
	default: return "none";
	}
}


/* count_messages - a walk without loading, for the progress line's ETA
 * (directory entries only: a small fraction of a scan's time) */
static guint64 count_messages(const struct qs_parser *p, int fd, const char *root)
{
	struct qs_walk *w = p->walk_new(fd, root, NULL);
	struct qs_item it;
	GError *err = NULL;
	guint64 n = 0;
	int rc;

	if (w == NULL)
		return 0;
	qs_item_init(&it);
	while ((rc = p->walk_next(w, &it, &err)) != 0) {
		if (rc > 0)
			n++;
		g_clear_error(&err);
	}
	qs_item_clear(&it);
	g_ptr_array_free(it.files, TRUE);
	p->walk_free(w);
	return n;
}

/* count_only - the prompt's pre-pass: judge everything, act on nothing */
static void count_only(struct qs_result *r, void *data)
{
	guint64 *n = data;

	n[r->j.verdict]++;
}

/* confirm - on a terminal, ask once with the numbers; never without one */
static bool confirm(struct qs_pipeline *p, enum qs_action act)
{
	guint64 n[3] = { 0, 0, 0 };
	char answer[16] = "";
	struct qs_pipeline pre = *p;
	GError *err = NULL;

	if (O.yes || act == QS_ACTION_NONE || !isatty(STDIN_FILENO))
		return true;
	pre.actor = NULL;
	pre.on_result = count_only;
	pre.data = n;
	if (qs_pipeline_run(&pre, &err) < 0)
		qs_fatal(QS_EXIT_USAGE, "%s", err->message);
	if (n[QS_VERDICT_RELAY] == 0)
		return true;
	fprintf(stderr, "qscan: %s: %s %" G_GUINT64_FORMAT " relay messages, keep %" G_GUINT64_FORMAT
		" (%" G_GUINT64_FORMAT " unsure)? [y/N] ", p->root,
		act == QS_ACTION_DELETE ? "delete" : act == QS_ACTION_HOLD ? "hold" : "quarantine",
		n[QS_VERDICT_RELAY], n[QS_VERDICT_LEGIT] + n[QS_VERDICT_UNSURE], n[QS_VERDICT_UNSURE]);
	if (fgets(answer, sizeof answer, stdin) == NULL)
		return false;
	return answer[0] == 'y' || answer[0] == 'Y';
}

static struct qs_actor *make_actor(const struct qs_parser *p, int fd, const char *root,
				   const struct qs_config *cfg, enum qs_action act, struct qs_db *db)
{
	struct qs_actor *a;
	GError *err = NULL;

	if (act == QS_ACTION_NONE)
		return NULL;
	if (act == QS_ACTION_HOLD && strcmp(p->name, "postfix") != 0)
		qs_fatal(QS_EXIT_USAGE, "%s: --hold works only for Postfix queues (this is %s)", root, p->name);
	a = qs_actor_new(p, fd, root, cfg, act, db, &err);
	if (a == NULL)
		qs_fatal(err->code == QS_ACT_LOCKED ? QS_EXIT_LOCKED : QS_EXIT_USAGE, "%s", err->message);
	qs_info("%s: acting with method %s", root, qs_actor_method(a));
	return a;
}

/* run_root - one queue directory; false if the user declined */
static bool run_root(const char *root, struct qs_config *cfg, enum qs_action act,
		     struct scan *s, guint64 *walk_errors)
{
	int fd = qs_cli_open_root(root);
	const struct qs_parser *parser = pick_format(fd, root);
	struct qs_pipeline p = { 0 };
	GError *err = NULL;
	bool go;

	if (!cfg->local_domains_configured)
		qs_config_mta_defaults(cfg, parser->name, root);
	say_local_domains(cfg);
	p.parser = parser;
	p.rootfd = fd;
	p.root = root;
	p.cfg = cfg;
	p.jobs = O.jobs > 0 ? (guint)O.jobs : g_get_num_processors();
	p.on_result = on_result;
	p.data = s;
	p.prerender = O.json ? qs_report_prerender_json : NULL;
	s->root = root;
	if (qs_progress_enabled(s->progress))
		qs_progress_set_total(s->progress, count_messages(parser, fd, root));
	go = confirm(&p, act);
	if (go) {
		char *abs = realpath(root, NULL);
		if (s->db && qs_db_run_begin_action(s->db, abs ? abs : root, parser->name, action_name(act),
						    s->cmdline, &s->run_id, &err) < 0)
			qs_fatal(QS_EXIT_USAGE, "%s", err->message);
		free(abs);
		p.actor = make_actor(parser, fd, root, cfg, act, s->db);
		if (p.actor)
			qs_actor_set_run(p.actor, s->run_id);
		if (qs_pipeline_run(&p, &err) < 0)
			qs_fatal(QS_EXIT_USAGE, "%s", err->message);
		if (p.actor) {
			qs_actor_flush(p.actor);
			qs_actor_free(&p.actor);
		}
		*walk_errors += p.walk_errors;
	}
	close(fd);
	return go;
}

static void on_term(int sig)
{
	qs_pipeline_stop();
}

static void log_run(const struct qs_report_totals *t, enum qs_action act, double secs)
{
	openlog("qscan", LOG_PID, LOG_MAIL);
	syslog(LOG_INFO, "scanned=%" G_GUINT64_FORMAT " relay=%" G_GUINT64_FORMAT " legit=%" G_GUINT64_FORMAT
	       " unsure=%" G_GUINT64_FORMAT " errors=%" G_GUINT64_FORMAT " action=%s acted=%" G_GUINT64_FORMAT
	       " failed=%" G_GUINT64_FORMAT " elapsed=%.2fs", t->scanned, t->relay, t->legit, t->unsure,
	       t->errors, act == QS_ACTION_NONE ? "dry-run" : action_name(act), t->acted, t->act_failed, secs);
	closelog();
}

static int exit_code(const struct qs_report_totals *t, guint64 walk_errors, guint64 db_errors)
{
	if (t->errors || t->act_failed || walk_errors || db_errors)
		return QS_EXIT_PARTIAL;
	return t->relay ? QS_EXIT_RELAY : QS_EXIT_OK;
}

static void open_db(struct scan *s, const struct qs_config *cfg, enum qs_action act)
{
	GError *err = NULL;

	if (act == QS_ACTION_NONE)
		return;		/* a dry run writes nothing, not even the database */
	s->db = qs_db_open(cfg->database, true, &err);
	if (s->db == NULL)
		qs_fatal(QS_EXIT_USAGE, "%s (the queue was not touched)", err->message);
}

static struct qs_report *make_report(void)
{
	struct qs_report_opts ro = { 0 };

	ro.json = O.json;
	ro.color = isatty(STDOUT_FILENO) && g_getenv("NO_COLOR") == NULL && !O.json;
	ro.verbose = O.verbose > 0;
	ro.width = 80;
	if (isatty(STDOUT_FILENO)) {
		struct winsize ws;
		if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
			ro.width = ws.ws_col;
	}
	parse_show(&ro);
	return qs_report_new(&ro, stdout);
}

int qs_cmd_scan(int argc, char **argv)
{
	GOptionContext *ctx = g_option_context_new(NULL);
	struct qs_config *cfg;
	struct scan s = { 0 };
	enum qs_action act;
	gint64 t0 = g_get_monotonic_time();
	guint64 walk_errors = 0;
	double secs;
	int i, rc;

	O.min_age = -1;
	s.cmdline = g_strjoinv(" ", argv);
	g_option_context_set_summary(ctx, "Classify queued mail as relay/legit/unsure and act on the relay ones.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	qs_cli_parse(ctx, &argc, &argv);
	g_option_context_free(ctx);
	qs_verbosity = O.quiet ? -1 : O.verbose;
	if (O.min_age < -1)
		qs_fatal(QS_EXIT_USAGE, "--min-age must be 0 or more seconds");
	if (O.min_age >= 0)
		qs_young_seconds = O.min_age;
	if (O.roots == NULL || O.roots[0] == NULL)
		qs_fatal(QS_EXIT_USAGE, "no QUEUE_DIR given (e.g. qscan --dry-run /var/spool/postfix)");
	cfg = qs_cli_config(O.config);
	apply_overrides(cfg);
	act = pick_action(cfg);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	open_db(&s, cfg, act);
	s.report = make_report();
	s.progress = qs_progress_new(!O.no_progress && !O.quiet && isatty(STDERR_FILENO) &&
				     (!O.json || isatty(STDOUT_FILENO)));
	for (i = 0; O.roots[i]; i++)
		if (!run_root(O.roots[i], cfg, act, &s, &walk_errors))
			qs_warn("%s: nothing done (not confirmed)", O.roots[i]);
	qs_progress_free(&s.progress);
	secs = (double)(g_get_monotonic_time() - t0) / 1e6;
	qs_report_finish(s.report, secs, walk_errors);
	if (s.db) {
		struct qs_run_totals rt = { 0 };
		const struct qs_report_totals *t = qs_report_totals(s.report);
		GError *err = NULL;
		rt.scanned = t->scanned, rt.relay = t->relay, rt.legit = t->legit, rt.unsure = t->unsure;
		rt.errors = t->errors + t->act_failed, rt.acted = t->acted, rt.elapsed_s = secs;
		if (qs_db_run_end(s.db, s.run_id, &rt, &err) < 0) {
			qs_error("%s", err->message);
			s.db_errors++;
		}
		qs_db_close(&s.db);
	}
	log_run(qs_report_totals(s.report), act, secs);
	rc = exit_code(qs_report_totals(s.report), walk_errors, s.db_errors);
	qs_report_free(&s.report);
	qs_config_free(&cfg);
	g_free(s.cmdline);
	return rc;
}
