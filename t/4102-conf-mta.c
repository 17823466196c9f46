/*
 * 4102-conf-mta: local domains from a fake Postfix instance (postconf -c
 * on a private config directory when Postfix is installed, and main.cf
 * read directly) and from fake qmail control directories; every domain
 * with its source; configuration wins; unreadable files are notes.
 */
#include "config.h"
#include <string.h>
#include <unistd.h>
#include "addr.h"
#include "conf.h"
#include "log.h"
#include "tap.h"
#include "testutil.h"

static const struct qs_domain *find(const GPtrArray *list, const char *name)
{
	guint i;

	for (i = 0; i < list->len; i++) {
		const struct qs_domain *d = g_ptr_array_index(list, i);
		if (strcmp(d->name, name) == 0)
			return d;
	}
	return NULL;
}

static bool noted(const struct qs_config *c, const char *part)
{
	guint i;

	for (i = 0; i < c->notes->len; i++)
		if (strstr(g_ptr_array_index(c->notes, i), part))
			return true;
	return false;
}

/* domain present with exactly this source */
static void has(const GPtrArray *list, const char *name, const char *source)
{
	const struct qs_domain *d = find(list, name);

	ok(d && strcmp(d->source, source) == 0, "%s from %s", name, source);
	if (d && strcmp(d->source, source) != 0)
		diag("source is %s", d->source);
}

static void write_str(const char *dir, const char *rel, const char *text)
{
	tu_write(dir, rel, text, strlen(text), 0644);
}

/* write main.cf and tables into etc; main.cf names the tables as
 * prefix/NAME (an image names them as the live system sees them) */
static void postfix_instance(const char *etc, const char *prefix, const char *queue_dir_value)
{
	char *main = g_strdup_printf(
		"compatibility_level = 3.6\n"
		"# a comment\n"
		"queue_directory = %s\n"
		"myhostname = mx.fake.example\n"
		"mydomain = fake.example\n"
		"mydestination = $myhostname, localhost.$mydomain,\n"
		"    localhost hash:%s/desttable\n"
		"\t%s/names, !not.example\n"
		"virtual_mailbox_domains = hash:%s/vmd, inline:{ inl.example=x, inl2.example }\n"
		"virtual_alias_domains = Valias.Example mysql:/etc/postfix/x.cf $undefined_thing\n"
		"relay_domains = relay.fake.example\n"
		"parent_domain_matches_subdomains = relay_domains\n",
		queue_dir_value, prefix, prefix, prefix);

	write_str(etc, "main.cf", main);
	write_str(etc, "master.cf", "# empty\n");
	write_str(etc, "desttable", "# keys are domains\ntbl1.example OK\n  continued line\n"
		  "user@skipped.example OK\n\ntbl2.example\tOK\n");
	write_str(etc, "names", "file1.example .file2.example # comment\nfile3.example,file4.example\n");
	write_str(etc, "vmd", "vdom1.example OK\nvdom2.example OK\n");
	g_free(main);
}

static void check_postfix(const struct qs_config *c, const char *etc, const char *how)
{
	char *mc = g_build_filename(etc, "main.cf", NULL);
	char *src_dest = g_strdup_printf("%s: mydestination", mc);
	char *src_tbl = g_strdup_printf("%s: mydestination (%s/desttable)", mc, etc);
	char *src_names = g_strdup_printf("%s: mydestination (%s/names)", mc, etc);
	char *src_vmd = g_strdup_printf("%s: virtual_mailbox_domains (%s/vmd)", mc, etc);
	char *src_inl = g_strdup_printf("%s: virtual_mailbox_domains", mc);
	char *src_va = g_strdup_printf("%s: virtual_alias_domains", mc);
	char *src_rel = g_strdup_printf("%s: relay_domains", mc);
	char *src_host = g_strdup_printf("%s: myhostname", mc);

	diag("Postfix via %s", how);
	has(c->local_domains, "mx.fake.example", src_dest);
	has(c->local_domains, "localhost.fake.example", src_dest);
	has(c->local_domains, "localhost", src_dest);
	has(c->local_domains, "tbl1.example", src_tbl);
	has(c->local_domains, "tbl2.example", src_tbl);
	ok(!find(c->local_domains, "skipped.example") && !find(c->local_domains, "continued"),
	   "%s: table addresses and continuation lines are not domains", how);
	has(c->local_domains, "file1.example", src_names);
	has(c->local_domains, ".file2.example", src_names);
	has(c->local_domains, "file3.example", src_names);
	has(c->local_domains, "file4.example", src_names);
	ok(!find(c->local_domains, "not.example") && !find(c->local_domains, "!not.example"),
	   "%s: negation skipped", how);
	has(c->local_domains, "vdom1.example", src_vmd);
	has(c->local_domains, "vdom2.example", src_vmd);
	has(c->local_domains, "inl.example", src_inl);
	has(c->local_domains, "inl2.example", src_inl);
	has(c->local_domains, "valias.example", src_va);
	has(c->local_domains, "relay.fake.example", src_rel);
	has(c->local_domains, ".relay.fake.example", src_rel);
	ok(!find(c->local_domains, ".valias.example"), "%s: subdomains only for parent_domain_matches_subdomains", how);
	is_int(c->local_domains->len, 16, "%s: 16 local domains, no more", how);
	ok(noted(c, "mysql:/etc/postfix/x.cf"), "%s: unreadable table noted", how);
	has(c->local_hostnames, "mx.fake.example", src_host);
	ok(!c->local_domains_configured, "%s: MTA defaults do not count as configured", how);
	ok(qs_domain_is_local(c, "a.relay.fake.example") && qs_domain_is_local(c, "x.file2.example") &&
	   !qs_domain_is_local(c, "file2.example"), "%s: matching", how);
	g_free(mc);
	g_free(src_dest);
	g_free(src_tbl);
	g_free(src_names);
	g_free(src_vmd);
	g_free(src_inl);
	g_free(src_va);
	g_free(src_rel);
	g_free(src_host);
}

static void postfix(const char *postconf)
{
	char *top = tu_tmpdir(), *etc, *spool, *other = tu_tmpdir();
	struct qs_config *c;
	const char *how = postconf[0] ? "postconf" : "main.cf";

	spool = g_build_filename(top, "spool", NULL);
	etc = g_build_filename(top, "etc", NULL);
	postfix_instance(etc, etc, spool);
	g_mkdir_with_parents(spool, 0755);
	g_setenv("QSCAN_POSTCONF", postconf, TRUE);
	g_setenv("MAIL_CONFIG", etc, TRUE);

	c = qs_config_new();
	qs_config_mta_defaults(c, "postfix", spool);
	check_postfix(c, etc, how);
	qs_config_free(&c);

	/* a queue that is not this instance's: nothing is taken */
	c = qs_config_new();
	qs_config_mta_defaults(c, "postfix", other);
	is_int(c->local_domains->len, 0, "%s: another queue gets no domains", how);
	ok(noted(c, "is not the scanned queue"), "%s: the mismatch is noted", how);
	qs_config_free(&c);

	/* configuration wins */
	c = qs_config_new();
	qs_config_add_local_domain(c, "conf.example", "qscan.conf", NULL);
	qs_config_mta_defaults(c, "postfix", spool);
	ok(c->local_domains->len == 1 && find(c->local_domains, "conf.example"),
	   "%s: configured local domains win", how);
	ok(find(c->local_hostnames, "mx.fake.example") != NULL, "%s: host name still read", how);
	qs_config_free(&c);
	g_unsetenv("MAIL_CONFIG");
	g_free(etc);
	g_free(spool);
	g_free(top);
	g_free(other);
}

/* ROOT/etc/postfix + ROOT/var/spool/postfix: a copied system image whose
 * main.cf names /var/spool/postfix and /etc/postfix/... as the live
 * system saw them */
static void postfix_image(const char *postconf)
{
	char *root = tu_tmpdir(), *etc = g_build_filename(root, "etc", "postfix", NULL);
	char *spool = g_build_filename(root, "var", "spool", "postfix", NULL);
	char *vmd = g_build_filename(etc, "vmd", NULL);
	char *src = g_strdup_printf("%s/main.cf: virtual_mailbox_domains (%s)", etc, vmd);
	struct qs_config *c = qs_config_new();
	const char *how = postconf[0] ? "postconf" : "main.cf";

	postfix_instance(etc, "/etc/postfix", "/var/spool/postfix");
	g_mkdir_with_parents(spool, 0755);
	g_setenv("QSCAN_POSTCONF", postconf, TRUE);
	g_setenv("MAIL_CONFIG", "/nonexistent-qscan-test", TRUE);
	qs_config_mta_defaults(c, "postfix", spool);
	ok(find(c->local_domains, "mx.fake.example") != NULL, "%s: instance found in the image next to the queue", how);
	has(c->local_domains, "vdom1.example", src);
	ok(find(c->local_domains, "file3.example") && find(c->local_domains, "tbl2.example"),
	   "%s: image files read below its root", how);
	g_unsetenv("MAIL_CONFIG");
	qs_config_free(&c);
	g_free(src);
	g_free(vmd);
	g_free(etc);
	g_free(spool);
	g_free(root);
}

static void qmail(void)
{
	char *top = tu_tmpdir(), *queue = g_build_filename(top, "queue", NULL);
	char *ctl = g_build_filename(top, "control", NULL);
	char *s_me = g_build_filename(ctl, "me", NULL), *s_loc = g_build_filename(ctl, "locals", NULL);
	char *s_rcpt = g_build_filename(ctl, "rcpthosts", NULL);
	char *s_virt = g_build_filename(ctl, "virtualdomains", NULL);
	char *s_more = g_build_filename(ctl, "morercpthosts", NULL);
	struct qs_config *c = qs_config_new();

	g_mkdir_with_parents(queue, 0755);
	write_str(top, "control/me", "Mail.Qm.example\n");
	write_str(top, "control/locals", "localhost\nqm.example\r\n\n");
	write_str(top, "control/rcpthosts", "qm.example\n.sub.qm.example\nother.example\n");
	write_str(top, "control/virtualdomains",
		  "virt.example:alias-virt\n.vsub.example:alias-vsub\nuser@one.example:alias-one\n:alias-all\n");
	g_mkdir_with_parents(s_more, 0755);	/* not a regular file */
	qs_config_mta_defaults(c, "qmail", queue);
	has(c->local_domains, "localhost", s_loc);
	has(c->local_domains, "qm.example", s_loc);
	has(c->local_domains, ".sub.qm.example", s_rcpt);
	has(c->local_domains, "other.example", s_rcpt);
	has(c->local_domains, "virt.example", s_virt);
	has(c->local_domains, ".vsub.example", s_virt);
	ok(!find(c->local_domains, "one.example"), "qmail: user@domain virtualdomains entry skipped");
	is_int(c->local_domains->len, 6, "qmail: six local domains");
	has(c->local_hostnames, "mail.qm.example", s_me);
	ok(noted(c, "catch-all"), "qmail: catch-all noted");
	ok(noted(c, "morercpthosts: not read: not a regular file"), "qmail: unreadable file noted");
	qs_config_free(&c);

	/* no locals: me; no rcpthosts: noted */
	unlink(s_loc);
	unlink(s_rcpt);
	c = qs_config_new();
	qs_config_mta_defaults(c, "qmail", queue);
	has(c->local_domains, "mail.qm.example", s_me);
	ok(noted(c, "accepts mail for every domain"), "qmail: missing rcpthosts noted");
	qs_config_free(&c);

	/* no control directory at all */
	c = qs_config_new();
	qs_config_mta_defaults(c, "qmail", s_more);	/* .../control/morercpthosts/../control */
	is_int(c->local_domains->len, 0, "qmail: no control directory, no domains");
	ok(noted(c, "no qmail control directory"), "qmail: missing control directory noted");
	qs_config_free(&c);

	c = qs_config_new();
	qs_config_mta_defaults(c, "mdaemon", queue);
	ok(c->local_domains->len == 0 && noted(c, "configure local_domains"), "other formats: a note only");
	qs_config_free(&c);
	g_free(top);
	g_free(queue);
	g_free(ctl);
	g_free(s_me);
	g_free(s_loc);
	g_free(s_rcpt);
	g_free(s_virt);
	g_free(s_more);
}

int main(void)
{
	qs_verbosity = -1;
	if (access("/usr/sbin/postconf", X_OK) == 0) {
		postfix("/usr/sbin/postconf");
		postfix_image("/usr/sbin/postconf");
	} else {
		skip("postfix is not installed: postconf path untested");
	}
	postfix("");
	postfix_image("");
	qmail();
	tu_cleanup();
	return done_testing();
}
