/* 7102-blocklist-trusted: trusted, whitelisted and local networks are never listed */
#include <string.h>
#include "blocklist.h"
#include "conf.h"
#include "reports_db.h"
#include "tap.h"
#include "testutil.h"

static void add(GArray *list, const char *cidr)
{
	struct qs_net n;

	memset(&n, 0, sizeof n);
	if (!qs_net_parse(cidr, &n))
		bail("qs_net_parse refused %s", cidr);
	g_array_append_val(list, n);
}

static char *render(const char *db, const struct qs_config *cfg, const char *fmt)
{
	GString *out = g_string_new(NULL);
	GError *err = NULL;

	if (qs_blocklist_print_at(db, cfg, fmt, 0, 0, RDB_NOW, out, &err) < 0)
		bail("%s", err->message);
	return g_string_free(out, FALSE);
}

int main(void)
{
	struct qs_net probe;
	struct qs_config *cfg;
	char *dir, *db, *s;

	memset(&probe, 0, sizeof probe);
	if (!qs_net_parse("10.0.0.0/8", &probe) || !qs_net_match(&probe, "10.1.1.1"))
		skip_all("qs_net_parse/qs_net_match are the STUB in this branch (the real ones come from branch config)");
	g_free(probe.text);
	dir = tu_tmpdir();
	db = rdb_make(dir, "qscan.db", "fixture.sql");
	cfg = qs_config_new();
	add(cfg->trusted_networks, "10.0.0.0/8");
	add(cfg->wl_networks, "2001:db8:ffff::/48");
	add(cfg->local_addresses, "192.0.2.99");
	cfg->block_threshold = 20;
	cfg->block_window = 3;
	s = render(db, cfg, "plain");
	is_str(s, "9.9.9.9\n192.0.2.5\n203.0.113.7\n2001:db8::7\n",
	       "trusted 10/8, whitelisted 2001:db8:ffff::/48 and local 192.0.2.99 left out");
	g_free(s);
	s = render(db, cfg, "postfix");
	ok(strstr(s, "# left out: 4 protected") != NULL, "the header counts what was left out");
	ok(strstr(s, "10.1.1.1") == NULL && strstr(s, "2001:db8:ffff::1") == NULL, "not even in comments");
	g_free(s);
	cfg->block_threshold = 100;
	cfg->block_window = 7;
	s = render(db, cfg, "plain");
	is_str(s, "203.0.113.7\n", "threshold and window default from the configuration");
	g_free(s);
	qs_config_free(&cfg);
	g_free(db);
	tu_cleanup();
	g_free(dir);
	return done_testing();
}
