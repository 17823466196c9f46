/* 7101-blocklist-formats: block candidates in every format, accepted as is by postmap, nft, ipset */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include "blocklist.h"
#include "reports_db.h"
#include "tap.h"
#include "testutil.h"

static const char *const formats[] = { "plain", "tcprules", "postfix", "nft", "ipset" };
static const char *const listed[] = { "9.9.9.9", "10.1.1.1", "192.0.2.5", "192.0.2.99",
				      "203.0.113.7", "2001:db8::7", "2001:db8:ffff::1" };
/* under the threshold, outside the window, loopback, not an IP */
static const char *const unlisted[] = { "198.51.100.9", "203.0.113.8", "192.0.2.200",
					"203.0.113.9", "127.0.0.1", "::ffff:192.0.2.99" };
static char *dir;

static char *render(const char *db, const struct qs_config *cfg, const char *fmt, guint thr, guint win)
{
	GString *out = g_string_new(NULL);
	GError *err = NULL;

	if (qs_blocklist_print_at(db, cfg, fmt, thr, win, RDB_NOW, out, &err) < 0) {
		diag("%s: %s", fmt, err->message);
		g_clear_error(&err);
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}

static void golden(const char *db)
{
	guint i;

	for (i = 0; i < G_N_ELEMENTS(formats); i++) {
		char *name = g_strdup_printf("blocklist.%s", formats[i]);
		char *got = render(db, NULL, formats[i], 0, 0), *want = rdb_data(name);
		is_str(got, want, "%s equals t/data/reports/%s", formats[i], name);
		g_free(got);
		g_free(want);
		g_free(name);
	}
}

/* tcprules_ok - our reading of tcprules(1): "addr:deny" rules and '#' comments;
 * an IPv6 address would be mis-split at its first colon, so none may appear */
static bool tcprules_ok(const char *text, guint *rules)
{
	char **l = g_strsplit(text, "\n", -1);
	bool good = true;
	guint i;

	*rules = 0;
	for (i = 0; l[i]; i++) {
		char *colon = strchr(l[i], ':');
		struct in_addr a;
		if (l[i][0] == '\0' || l[i][0] == '#')
			continue;
		if (colon == NULL || strcmp(colon, ":deny") != 0)
			good = false;
		else
			*colon = '\0';
		if (!good || inet_pton(AF_INET, l[i], &a) != 1) {
			diag("bad tcprules line %u: %s", i + 1, l[i]);
			good = false;
			break;
		}
		(*rules)++;
	}
	g_strfreev(l);
	return good;
}

static void postfix_map(const char *file)
{
	guint i;

	if (tu_sh("command -v postmap >/dev/null") != 0) {
		skip("postmap is not installed (scripts/deps.sh --test)");
		return;
	}
	for (i = 0; i < G_N_ELEMENTS(listed); i++)
		is_int(tu_sh("test \"$(postmap -q '%s' cidr:%s)\" = 'REJECT qscan: relay source'", listed[i], file),
		       0, "postmap -q %s finds REJECT", listed[i]);
	is_int(tu_sh("test \"$(postmap -q 2001:DB8:0:0::7 cidr:%s)\" = 'REJECT qscan: relay source'", file),
	       0, "postmap matches another spelling of an IPv6 address");
	for (i = 0; i < 5; i++)
		is_int(tu_sh("postmap -q '%s' cidr:%s >/dev/null", unlisted[i], file), 1,
		       "postmap -q %s finds nothing", unlisted[i]);
}

/* a private network namespace: nothing touches this host's firewall */
static bool netns_ok(const char *tool)
{
	if (tu_sh("command -v %s >/dev/null", tool) != 0) {
		skip("%s is not installed (apt-get install %s)", tool, strcmp(tool, "nft") ? tool : "nftables");
		return false;
	}
	if (tu_sh("unshare -n true 2>/dev/null") != 0) {
		skip("unshare -n is not permitted here (needs root/CAP_SYS_ADMIN)");
		return false;
	}
	return true;
}

static void nft_file(const char *file, const char *what)
{
	if (!netns_ok("nft"))
		return;
	is_int(tu_sh("unshare -n nft -c -f %s", file), 0, "nft -c -f accepts the %s", what);
	is_int(tu_sh("unshare -n sh -c 'nft -f %s && nft -f %s && nft list set inet qscan block4 >/dev/null'",
		     file, file), 0, "nft -f loads the %s twice (replaces the table)", what);
}

static void ipset_file(const char *file, const char *what, const char *member)
{
	if (!netns_ok("ipset"))
		return;
	is_int(tu_sh("unshare -n sh -c 'ipset restore < %s && ipset restore < %s'", file, file), 0,
	       "ipset restore accepts the %s twice", what);
	if (member)
		is_int(tu_sh("unshare -n sh -c 'ipset restore < %s && ipset test qscan6 %s 2>/dev/null'",
			     file, member), 0, "ipset set qscan6 holds %s", member);
}

static void tools(const char *db)
{
	char *pf = render(db, NULL, "postfix", 0, 0), *nf = render(db, NULL, "nft", 0, 0);
	char *is = render(db, NULL, "ipset", 0, 0), *tr = render(db, NULL, "tcprules", 0, 0);
	char *p;
	guint n;

	ok(tcprules_ok(tr, &n) && n == 5, "tcprules: 5 IPv4 deny rules, IPv6 only in comments");
	ok(strstr(tr, "# not listed, tcprules has no IPv6: 2001:db8::7\n") != NULL, "tcprules: IPv6 named in a comment");
	p = rdb_write(dir, "qscan.cidr", pf);
	postfix_map(p);
	g_free(p);
	p = rdb_write(dir, "qscan.nft", nf);
	nft_file(p, "block list");
	g_free(p);
	p = rdb_write(dir, "qscan.ipset", is);
	ipset_file(p, "block list", "2001:db8:ffff::1");
	g_free(p);
	g_free(pf); g_free(nf); g_free(is); g_free(tr);
}

static void empty(const char *db)
{
	char *nf = render(db, NULL, "nft", 1000000, 0), *is = render(db, NULL, "ipset", 1000000, 0);
	char *pl = render(db, NULL, "plain", 1000000, 0), *p;

	is_str(pl, "", "plain: nothing over a huge threshold");
	p = rdb_write(dir, "empty.nft", nf);
	nft_file(p, "empty list");
	g_free(p);
	p = rdb_write(dir, "empty.ipset", is);
	ipset_file(p, "empty list", NULL);
	g_free(p);
	g_free(nf); g_free(is); g_free(pl);
}

/* loading a shorter list drops the addresses no longer listed */
static void reload(void)
{
	if (netns_ok("ipset"))
		is_int(tu_sh("unshare -n sh -c 'ipset restore < %s/qscan.ipset && ipset restore < %s/empty.ipset"
			     " && ! ipset test qscan4 9.9.9.9 2>/dev/null && test \"$(ipset list -n)\" = "
			     "\"$(printf \"qscan4\\nqscan6\")\"'", dir, dir), 0,
		       "ipset: reloading replaces the members, no -new set left");
	if (netns_ok("nft"))
		is_int(tu_sh("unshare -n sh -c 'nft -f %s/qscan.nft && nft -f %s/empty.nft && "
			     "! nft list set inet qscan block4 | grep -q 9.9.9.9'", dir, dir), 0,
		       "nft: reloading replaces the members");
}

static void options(const char *db)
{
	char *s = render(db, NULL, "plain", 100, 7);
	GError *err = NULL;
	GString *out = g_string_new(NULL);

	is_str(s, "203.0.113.7\n", "threshold 100 in 7 days: one address (loopback never listed)");
	g_free(s);
	s = render(db, NULL, "plain", 21, 0);
	is_str(s, "9.9.9.9\n10.1.1.1\n203.0.113.7\n2001:db8:ffff::1\n", "threshold 21: at least 21, numeric order");
	g_free(s);
	s = render(db, NULL, NULL, 22, 1);
	is_str(s, "2001:db8:ffff::1\n", "no format = plain; window 1 = today only");
	g_free(s);
	ok(qs_blocklist_print_at(db, NULL, "iptables", 0, 0, RDB_NOW, out, &err) == -1 &&
	   strstr(err->message, "unknown block list format 'iptables'"), "unknown format refused");
	g_clear_error(&err);
	g_string_free(out, TRUE);
}

int main(void)
{
	char *db;

	dir = tu_tmpdir();
	db = rdb_make(dir, "qscan.db", "fixture.sql");
	golden(db);
	tools(db);
	empty(db);
	reload();
	options(db);
	g_free(db);
	tu_cleanup();
	return done_testing();
}
