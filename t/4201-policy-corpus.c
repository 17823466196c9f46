/*
 * 4201-policy-corpus: every labelled case in t/data/corpus/ judged with
 * t/data/corpus/qscan.conf (plus NNN-name.conf when present) must give
 * exactly the verdict and reasons of expected.txt. On failure the case
 * name, the explanation and the whole rule trace are printed.
 */
#include "config.h"
#include <string.h>
#include <unistd.h>
#include "classify.h"
#include "conf.h"
#include "eml.h"
#include "hdr.h"
#include "tap.h"
#include "testutil.h"

static const char *const all_tags[] = {
	"whitelist", "rule:", "local-recipient", "authenticated", "auth-abuse", "auth-unlisted",
	"backscatter", "trusted-network", "local-submission", "forwarded", "bounce", "open-relay",
	"forged-local-sender", "no-rule", "unreadable", "malformed", NULL,
};

static struct qs_config *load_conf(const char *dir, const char *extra)
{
	struct qs_config *c = qs_config_new();
	char *p = g_build_filename(dir, "qscan.conf", NULL);
	GError *err = NULL;

	if (qs_config_load(c, p, true, &err) < 0)
		bail("%s", err->message);
	if (extra && qs_config_load(c, extra, true, &err) < 0)
		bail("%s", err->message);
	g_free(p);
	return c;
}

static char *joined(const struct qs_judgement *j)
{
	GString *s = g_string_new(NULL);
	guint i;

	for (i = 0; i < j->reasons->len; i++)
		g_string_append_printf(s, "%s%s", i ? "," : "", (char *)g_ptr_array_index(j->reasons, i));
	return g_string_free(s, FALSE);
}

static void dump(const struct qs_judgement *j, const char *indent)
{
	guint i;

	diag("%s%s", indent, j->explanation ? j->explanation : "(no explanation)");
	for (i = 0; i < j->hops->len; i++) {
		const struct qs_hop *h = g_ptr_array_index(j->hops, i);
		diag("%s hop %u: from=%s ip=%s by=%s with=%s for=%s auth=%s%s%s%s", indent, i + 1,
		     h->from ? h->from : "-", h->ip ? h->ip : "-", h->by ? h->by : "-",
		     h->with ? h->with : "-", h->for_addr ? h->for_addr : "-",
		     h->auth_user ? h->auth_user : "-", h->ours ? " ours" : "",
		     h->trusted ? " trusted" : "", h->local ? " local" : "");
	}
	for (i = 0; i < j->trace->len; i++) {
		const struct qs_trace *t = g_ptr_array_index(j->trace, i);
		diag("%s  %s %s: %s", indent, t->matched ? "+" : "-", t->rule, t->detail ? t->detail : "");
	}
	if (j->original) {
		diag("%s original:", indent);
		dump(j->original, "      ");
	}
}

/* one_case - 0 ok, 1 mismatch */
static void one_case(const char *dir, struct qs_judge_ctx *base_ctx, const char *name,
		     const char *want_verdict, const char *want_reasons)
{
	char *path = g_strdup_printf("%s/%s.eml", dir, name);
	char *cpath = g_strdup_printf("%s/%s.conf", dir, name);
	struct qs_config *c = NULL;
	struct qs_judge_ctx *ctx = base_ctx;
	struct qs_msg *m = qs_msg_new();
	struct qs_judgement j;
	char *got;

	if (access(cpath, R_OK) == 0) {
		c = load_conf(dir, cpath);
		ctx = qs_judge_ctx_new(c);
	}
	qs_eml_load(path, m, true);
	qs_judgement_init(&j);
	qs_judge(ctx, m, &j);
	got = joined(&j);
	if (!ok(strcmp(qs_verdict_name(j.verdict), want_verdict) == 0 && strcmp(got, want_reasons) == 0,
		"%s: %s %s", name, want_verdict, want_reasons)) {
		diag("case %s: got %s %s", name, qs_verdict_name(j.verdict), got);
		dump(&j, "  ");
	}
	g_free(got);
	qs_judgement_clear(&j);
	qs_judgement_clear(&j);	/* clearing twice is harmless */
	qs_judgement_destroy(&j);
	qs_msg_free(&m);
	if (c) {
		qs_judge_ctx_free(&ctx);
		qs_config_free(&c);
	}
	g_free(path);
	g_free(cpath);
}

int main(void)
{
	char *dir = tu_data("corpus");
	char *exp = g_build_filename(dir, "expected.txt", NULL);
	char *text = NULL, **lines;
	struct qs_config *c;
	struct qs_judge_ctx *ctx;
	GHashTable *listed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GString *all = g_string_new(NULL);
	GDir *d;
	const char *e;
	int i, n = 0;

	qs_hdr_global_init();
	if (!g_file_get_contents(exp, &text, NULL, NULL))
		bail("cannot read %s", exp);
	c = load_conf(dir, NULL);
	ctx = qs_judge_ctx_new(c);
	lines = g_strsplit(text, "\n", -1);
	for (i = 0; lines[i]; i++) {
		char **f;
		if (lines[i][0] == '#' || lines[i][0] == '\0')
			continue;
		f = g_strsplit(lines[i], " ", 3);
		if (g_strv_length(f) != 3)
			bail("expected.txt line %d: want \"case verdict reasons\"", i + 1);
		one_case(dir, ctx, f[0], f[1], f[2]);
		g_hash_table_add(listed, g_strdup(f[0]));
		g_string_append_printf(all, ",%s,", f[2]);
		n++;
		g_strfreev(f);
	}
	ok(n >= 60, "at least 60 labelled cases (%d)", n);
	{	/* a symbolic link to a good case is refused (O_NOFOLLOW) */
		char *tmp = tu_tmpdir(), *target = g_build_filename(dir, "001-whitelist-sender.eml", NULL);
		char *link = g_build_filename(tmp, "link.eml", NULL);
		struct qs_msg *m = qs_msg_new();
		struct qs_judgement j;
		if (symlink(target, link) != 0)
			bail("symlink %s: failed", link);
		qs_eml_load(link, m, true);
		qs_judgement_init(&j);
		qs_judge(ctx, m, &j);
		ok(j.verdict == QS_VERDICT_UNSURE && j.reasons->len == 1 &&
		   strcmp(g_ptr_array_index(j.reasons, 0), "unreadable") == 0, "a symlinked case is unsure/unreadable");
		qs_judgement_destroy(&j);
		qs_msg_free(&m);
		g_free(link);
		g_free(target);
		tu_cleanup();
		g_free(tmp);
	}
	/* every .eml has a label */
	d = g_dir_open(dir, 0, NULL);
	while (d && (e = g_dir_read_name(d)) != NULL) {
		char *base;
		if (!g_str_has_suffix(e, ".eml"))
			continue;
		base = g_strndup(e, strlen(e) - 4);
		if (!g_hash_table_contains(listed, base))
			ok(false, "%s has a line in expected.txt", e);
		g_free(base);
	}
	if (d)
		g_dir_close(d);
	for (i = 0; all_tags[i]; i++) {
		char *pat = g_strdup_printf(",%s", all_tags[i]);
		ok(strstr(all->str, pat) != NULL, "reason %s is covered by the corpus", all_tags[i]);
		g_free(pat);
	}
	g_strfreev(lines);
	g_free(text);
	g_string_free(all, TRUE);
	g_hash_table_destroy(listed);
	qs_judge_ctx_free(&ctx);
	qs_config_free(&c);
	g_free(exp);
	g_free(dir);
	return done_testing();
}
