/*
 * report_html.h - `qscan report --html FILE`: one self-contained HTML
 * page (inline CSS and SVG, no script, no network; a Content-Security-
 * Policy forbids fetching anything) with the relay volume per day, the
 * top origin IPs, AUTH users and sender domains, the block candidates
 * and the recent runs. Every string from the database is HTML-escaped.
 *
 * The numbers carry stable hooks for scripts and tests: the element
 * #totals has data-relay/-legit/-unsure/-total; each day of the chart
 * is a <g class="day" data-day=...> with the same counts; each ranking
 * row is <tr class="row" data-kind="ip|auth_user|sender_domain"
 * data-key=... data-relay=...>; block candidates are
 * <tr class="block" data-ip=... data-relay=...>; runs are
 * <tr class="run" data-id=...>. They equal `qscan stats --json` and
 * `qscan blocklist` for the same database, days and configuration.
 */
#ifndef QS_REPORT_HTML_H
#define QS_REPORT_HTML_H

#include <glib.h>
#include "conf.h"

#define QS_REPORT_RUNS 20	/* recent runs shown */

/* write the page to out_path ("-" = stdout) atomically; days 0 = 7 */
int qs_report_html(const char *db_path, const char *out_path, guint days, GError **err);
/* the same with the configuration's block settings (cfg may be NULL) and an explicit now */
int qs_report_html_cfg(const char *db_path, const char *out_path, guint days,
		       const struct qs_config *cfg, gint64 now, GError **err);
/* HTML-escape s (invalid UTF-8 and control characters become U+FFFD) */
void qs_html_esc(GString *out, const char *s);

#endif
