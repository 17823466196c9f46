/*
 * blocklist.h - `qscan blocklist`: block candidates for firewalls and
 * MTAs, read from ip_counts (db/schema.sql) opened read-only.
 *
 * A candidate is an origin IP with at least `threshold` relay messages
 * in the last `window` days (UTC, today included; defaults from the
 * configuration: block_threshold 20, block_window 3). Never listed: an
 * address in trusted_networks, whitelist networks or local_addresses,
 * loopback, unspecified or multicast addresses, or text that is not an
 * IP address. IPv4-mapped IPv6 addresses are listed as IPv4. Order:
 * IPv4 by address, then IPv6 by address; the output has no time stamp,
 * so the same data gives the same bytes.
 *
 * Formats (doc/qscan.1 shows each):
 *   tcprules  qmail/ucspi-tcp rules `1.2.3.4:deny`; tcprules has no IPv6,
 *             so IPv6 candidates appear only as `# ` comment lines
 *   postfix   check_client_access cidr map `IP REJECT qscan: relay source`
 *   nft       an `nft -f` file: table inet qscan, sets block4/block6 and
 *             an input chain dropping their SMTP traffic (25, 465, 587)
 *   ipset     an `ipset restore` file: sets qscan4/qscan6 (hash:ip),
 *             created if missing, then replaced at once (filled as
 *             qscan4-new, swapped in, the old content destroyed)
 *   plain     one address per line
 */
#ifndef QS_BLOCKLIST_H
#define QS_BLOCKLIST_H

#include <glib.h>
#include <sqlite3.h>
#include "conf.h"

struct qs_block {
	int family;		/* AF_INET or AF_INET6 */
	guint8 addr[16];
	char text[48];		/* canonical text form */
	guint64 relay;		/* relay messages in the window */
};

struct qs_blocklist {
	GArray *c;		/* struct qs_block, ordered */
	guint threshold, window;
	char from[11], to[11];	/* the window's first and last day */
	guint excluded;		/* protected addresses left out */
	guint invalid;		/* ip_counts rows that are not an IP */
};

/* canonical form of an IP text (IPv4-mapped IPv6 -> IPv4); false if not an IP */
bool qs_block_parse(const char *s, struct qs_block *b);
/* is format one of the names above */
bool qs_blocklist_format_ok(const char *format);
/* candidates from an open database; threshold/window 0 = from cfg (cfg may be NULL) */
int qs_blocklist_collect(sqlite3 *db, const char *path, const struct qs_config *cfg,
			 guint threshold, guint window_days, gint64 now,
			 struct qs_blocklist *bl, GError **err);
void qs_blocklist_clear(struct qs_blocklist *bl);
int qs_blocklist_render(const struct qs_blocklist *bl, const char *format, GString *out, GError **err);

/* qscan blocklist: format NULL = plain */
int qs_blocklist_print(const char *db_path, const struct qs_config *cfg, const char *format,
		       guint threshold, guint window_days, GString *out, GError **err);
int qs_blocklist_print_at(const char *db_path, const struct qs_config *cfg, const char *format,
			  guint threshold, guint window_days, gint64 now, GString *out, GError **err);

#endif
