/* blocklist.c - block candidates from ip_counts; see blocklist.h. */
#include "config.h"
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include "blocklist.h"
#include "dbread.h"
#include "stats.h"
#include "util.h"

static const char sql_relay[] =
	"SELECT ip, sum(count) FROM ip_counts WHERE verdict = 'relay'"
	" AND day BETWEEN ?1 AND ?2 GROUP BY ip";

/* qs_block_parse - canonical family/bytes/text; ::ffff:a.b.c.d becomes IPv4 */
bool qs_block_parse(const char *s, struct qs_block *b)
{
	static const guint8 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memset(b, 0, sizeof *b);
	if (s == NULL || strlen(s) >= sizeof b->text)
		return false;
	if (inet_pton(AF_INET, s, b->addr) == 1) {
		b->family = AF_INET;
	} else if (inet_pton(AF_INET6, s, b->addr) == 1) {
		b->family = AF_INET6;
		if (memcmp(b->addr, mapped, 12) == 0) {
			memmove(b->addr, b->addr + 12, 4);
			memset(b->addr + 4, 0, 12);
			b->family = AF_INET;
		}
	} else {
		return false;
	}
	return inet_ntop(b->family, b->addr, b->text, sizeof b->text) != NULL;
}

/* never_block - addresses no firewall list should carry, whatever the counts */
static bool never_block(const struct qs_block *b)
{
	static const guint8 zero[16], loop6[16] = { [15] = 1 };

	if (b->family == AF_INET)
		return b->addr[0] == 0 || b->addr[0] == 127 || b->addr[0] >= 224;
	return memcmp(b->addr, zero, 16) == 0 || memcmp(b->addr, loop6, 16) == 0 ||
	       b->addr[0] == 0xff;
}

static bool protected_by_config(const struct qs_config *cfg, const char *ip)
{
	return cfg && (qs_net_list_match(cfg->trusted_networks, ip) ||
		       qs_net_list_match(cfg->wl_networks, ip) ||
		       qs_net_list_match(cfg->local_addresses, ip));
}

static gint block_cmp(gconstpointer pa, gconstpointer pb)
{
	const struct qs_block *a = pa, *b = pb;

	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	return memcmp(a->addr, b->addr, 16);
}

/* add_row - merge spellings of one address (2001:DB8::1, 2001:db8::1) */
static void add_row(struct qs_blocklist *bl, GHashTable *seen, const char *ip, guint64 n)
{
	struct qs_block b;
	gpointer idx;

	if (!qs_block_parse(ip, &b)) {
		bl->invalid++;
		return;
	}
	if (g_hash_table_lookup_extended(seen, b.text, NULL, &idx)) {
		g_array_index(bl->c, struct qs_block, GPOINTER_TO_UINT(idx)).relay += n;
		return;
	}
	b.relay = n;
	g_array_append_val(bl->c, b);
	g_hash_table_insert(seen, g_strdup(b.text), GUINT_TO_POINTER(bl->c->len - 1));
}

/* keep - drop what is under the threshold or protected; sort */
static void keep(struct qs_blocklist *bl, const struct qs_config *cfg)
{
	guint i, j = 0;

	for (i = 0; i < bl->c->len; i++) {
		struct qs_block *b = &g_array_index(bl->c, struct qs_block, i);
		if (b->relay < bl->threshold)
			continue;
		if (never_block(b) || protected_by_config(cfg, b->text)) {
			bl->excluded++;
			continue;
		}
		g_array_index(bl->c, struct qs_block, j++) = *b;
	}
	g_array_set_size(bl->c, j);
	g_array_sort(bl->c, block_cmp);
}

static int read_rows(sqlite3 *db, const char *path, struct qs_blocklist *bl, GError **err)
{
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	sqlite3_stmt *st = qs_dbr_prepare(db, path, sql_relay, err);
	int rc;

	if (st == NULL) {
		g_hash_table_destroy(seen);
		return -1;
	}
	sqlite3_bind_text(st, 1, bl->from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, bl->to, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 n = sqlite3_column_int64(st, 1);
		if (n > 0)
			add_row(bl, seen, (const char *)sqlite3_column_text(st, 0), (guint64)n);
	}
	sqlite3_finalize(st);
	g_hash_table_destroy(seen);
	if (rc != SQLITE_DONE) {
		qs_dbr_step_error(db, path, rc, err);
		return -1;
	}
	return 0;
}

int qs_blocklist_collect(sqlite3 *db, const char *path, const struct qs_config *cfg,
			 guint threshold, guint window_days, gint64 now,
			 struct qs_blocklist *bl, GError **err)
{
	memset(bl, 0, sizeof *bl);
	bl->threshold = threshold ? threshold : cfg && cfg->block_threshold ? cfg->block_threshold : 20;
	bl->window = window_days ? window_days : cfg && cfg->block_window ? cfg->block_window : 3;
	if (bl->window > QS_STATS_MAX_DAYS) {
		g_set_error(err, QS_ERROR, 0, "block window must be 1 to %d days, not %u",
			    QS_STATS_MAX_DAYS, bl->window);
		return -1;
	}
	bl->c = g_array_new(FALSE, TRUE, sizeof(struct qs_block));
	qs_dbr_day(now, bl->window - 1, bl->from);
	qs_dbr_day(now, 0, bl->to);
	if (read_rows(db, path, bl, err) < 0) {
		qs_blocklist_clear(bl);
		return -1;
	}
	keep(bl, cfg);
	return 0;
}

void qs_blocklist_clear(struct qs_blocklist *bl)
{
	if (bl->c)
		g_array_free(bl->c, TRUE);
	bl->c = NULL;
}

int qs_blocklist_print_at(const char *db_path, const struct qs_config *cfg, const char *format,
			  guint threshold, guint window_days, gint64 now, GString *out, GError **err)
{
	struct qs_blocklist bl;
	sqlite3 *db;
	int rc;

	if (format == NULL)
		format = "plain";
	if (!qs_blocklist_format_ok(format)) {
		g_set_error(err, QS_ERROR, 0, "unknown block list format '%s': use tcprules, "
			    "postfix, nft, ipset or plain", format);
		return -1;
	}
	if ((db = qs_dbr_open(db_path, err)) == NULL)
		return -1;
	rc = qs_blocklist_collect(db, db_path, cfg, threshold, window_days, now, &bl, err);
	qs_dbr_close(&db);
	if (rc == 0)
		rc = qs_blocklist_render(&bl, format, out, err);
	qs_blocklist_clear(&bl);
	return rc;
}

int qs_blocklist_print(const char *db_path, const struct qs_config *cfg, const char *format,
		       guint threshold, guint window_days, GString *out, GError **err)
{
	return qs_blocklist_print_at(db_path, cfg, format, threshold, window_days,
				     g_get_real_time() / G_USEC_PER_SEC, out, err);
}
