/* 7201-html-report: the HTML report is self-contained, escaped, renders in
 * headless Chromium, and its numbers equal stats --json and the block list */
#include <string.h>
#include <sys/stat.h>
#include "blocklist.h"
#include "report_html.h"
#include "reports_db.h"
#include "stats.h"
#include "tap.h"
#include "testutil.h"

static char *dir;

static char *page(const char *db, const char *name, int *rc, char **error)
{
	char *out = g_build_filename(dir, name, NULL), *s = NULL;
	GError *err = NULL;

	*rc = qs_report_html_cfg(db, out, 7, NULL, RDB_NOW, &err);
	*error = err ? g_strdup(err->message) : NULL;
	g_clear_error(&err);
	if (*rc == 0 && !g_file_get_contents(out, &s, NULL, NULL))
		bail("cannot read %s", out);
	g_free(out);
	return s;
}

static void escaping(const char *html)
{
	GString *e = g_string_new(NULL);

	ok(strstr(html, "<script") == NULL, "the queue root's <script> is not markup");
	ok(strstr(html, "/q/&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;x&quot;") != NULL,
	   "the queue root is HTML-escaped");
	ok(strstr(html, "data-key=\"admin&quot;&lt;x&gt;\"") != NULL, "AUTH user escaped inside an attribute");
	ok(strstr(html, ">evil&lt;b&gt;.example<") != NULL, "sender domain escaped in text");
	ok(strstr(html, "http://") == strstr(html, "http://www.w3.org/2000/svg") &&
	   strstr(html, "https://") == NULL && strstr(html, "url(") == NULL,
	   "no address to fetch (only the SVG namespace)");
	ok(strstr(html, "Content-Security-Policy") != NULL, "a CSP forbids fetching anything");
	qs_html_esc(e, "a\x01<b>\xff&'");
	is_str(e->str, "a\xef\xbf\xbd&lt;b&gt;\xef\xbf\xbd&amp;&#39;", "control bytes and bad UTF-8 become U+FFFD");
	g_string_free(e, TRUE);
}

/* the stats JSON and block list the page must agree with, as files */
static void reference_files(const char *db, char **js, char **bl)
{
	GString *s = g_string_new(NULL), *b = g_string_new(NULL);
	GError *err = NULL;

	if (qs_stats_print_at(db, 7, true, RDB_NOW, s, &err) < 0 ||
	    qs_blocklist_print_at(db, NULL, "plain", 0, 0, RDB_NOW, b, &err) < 0)
		bail("%s", err->message);
	*js = rdb_write(dir, "stats.jsonl", s->str);
	*bl = rdb_write(dir, "block.txt", b->str);
	g_string_free(s, TRUE);
	g_string_free(b, TRUE);
}

static void numbers(const char *db, const char *html_path)
{
	char *js, *bl, *py = tu_data("reports/html_check.py");

	reference_files(db, &js, &bl);
	if (tu_sh("command -v python3 >/dev/null") != 0)
		skip("python3 is not installed (scripts/deps.sh --test)");
	else
		is_int(tu_sh("python3 %s %s %s %s >&2", py, html_path, js, bl), 0,
		       "page numbers equal stats --json and the block list");
	g_free(py);
	g_free(js);
	g_free(bl);
}

static void render(const char *html_path)
{
	char *png = g_build_filename(dir, "page.png", NULL), *prof = g_build_filename(dir, "chromium", NULL);
	char *py = tu_data("reports/png_colours.py");

	if (tu_sh("command -v chromium >/dev/null") != 0) {
		skip("chromium is not installed (apt-get install chromium)");
		goto out;
	}
	/* no network at all: every feature that would phone home is off */
	is_int(tu_sh("timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic "
		     "--no-first-run --disable-background-networking --disable-component-update "
		     "--disable-sync --user-data-dir=%s --screenshot=%s --window-size=1200,900 "
		     "'file://%s' >/dev/null 2>&1", prof, png, html_path), 0, "chromium renders the page");
	is_int(tu_sh("test \"$(python3 %s %s c62828 2e7d32 ef8f00 | head -1)\" -ge 16", py, png), 0,
	       "the screenshot is not blank: relay, legit and unsure colours drawn");
out:
	g_free(png);
	g_free(prof);
	g_free(py);
}

static void files(const char *db)
{
	char *p = g_build_filename(dir, "page.html", NULL), *np, *html, *error;
	struct stat sb;
	int rc;

	ok(stat(p, &sb) == 0 && (sb.st_mode & 0777) == 0644, "page written with mode 0644");
	np = g_build_filename(dir, "no", "such", "dir", "r.html", NULL);
	rc = qs_report_html_cfg(db, np, 7, NULL, RDB_NOW, NULL);
	is_int(rc, -1, "an unwritable output path is an error");
	g_free(np);
	html = page(p, "x.html", &rc, &error);	/* the HTML file is not a database */
	ok(rc == -1 && error && strstr(error, "not a qscan database"), "a non-database is refused");
	g_free(error);
	g_free(html);
	g_free(p);
}

static void empty_db(void)
{
	char *db = rdb_make(dir, "empty.db", "empty.sql"), *html, *error;
	int rc;

	html = page(db, "empty.html", &rc, &error);
	if (rc != 0)
		diag("%s", error);
	ok(rc == 0 && strstr(html, "no run recorded") && strstr(html, "none in this period"),
	   "an empty database gives a page that says so");
	g_free(html);
	g_free(error);
	g_free(db);
}

int main(void)
{
	char *db, *html, *error, *path;
	int rc;

	dir = tu_tmpdir();
	db = rdb_make(dir, "qscan.db", "fixture.sql");
	html = page(db, "page.html", &rc, &error);
	if (rc != 0)
		bail("report: %s", error);
	path = g_build_filename(dir, "page.html", NULL);
	escaping(html);
	numbers(db, path);
	render(path);
	files(db);
	empty_db();
	g_free(path);
	g_free(html);
	g_free(db);
	tu_cleanup();
	return done_testing();
}
