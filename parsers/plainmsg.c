/* plainmsg.c - helpers shared by the plain-file queue readers; see plainmsg.h. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <gmime/gmime.h>
#include "log.h"
#include "qs_limits.h"
#include "util.h"
#include "plainmsg.h"

int qs_young_seconds = QS_YOUNG_SECONDS_DEFAULT;

bool qs_is_young(gint64 mtime, gint64 now)
{
	/* a future mtime (clock skew, copied queue) is not "being written" */
	return mtime >= 0 && mtime <= now && now - mtime < qs_young_seconds;
}

bool qs_plain_young_now(const char *format, const char *rel, gint64 mtime)
{
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;	/* as the walks take it */

	if (!qs_is_young(mtime, now))
		return false;
	qs_info("%s: %s: modified %llds ago, may still be written: skipped", format, rel,
		(long long)(now - mtime));
	return true;
}

DIR *qs_opendir_rel(int rootfd, const char *rel, GError **err)
{
	int fd = qs_open_dir(rootfd, *rel ? rel : ".", err);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (d == NULL) {
		g_set_error(err, QS_ERROR, errno, "%s: cannot read directory: %s",
			    *rel ? rel : ".", g_strerror(errno));
		close(fd);
	}
	return d;
}

int qs_dirent_type(DIR *d, const struct dirent *de)
{
	struct stat st;

	if (de->d_type != DT_UNKNOWN)
		return de->d_type;
	if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	if (S_ISREG(st.st_mode))
		return DT_REG;
	if (S_ISDIR(st.st_mode))
		return DT_DIR;
	if (S_ISLNK(st.st_mode))
		return DT_LNK;
	return DT_FIFO;	/* some other non-regular kind: all we need is "not a file" */
}

char *qs_relpath(const char *dir, const char *name)
{
	return *dir ? g_strconcat(dir, "/", name, NULL) : g_strdup(name);
}

char *qs_dir_basename(const char *root)
{
	char *abs = NULL, *base;

	if (strcmp(root, ".") == 0 || strcmp(root, "./") == 0)
		root = abs = g_get_current_dir();
	base = g_path_get_basename(root);
	g_free(abs);
	return base;
}

int qs_plain_open(int rootfd, const char *rel, struct qs_msg *m, struct stat *st)
{
	GError *err = NULL;
	int fd = qs_open_file(rootfd, rel, st, &err);

	if (fd < 0) {
		int e = err->code;
		qs_msg_fail(m, QS_ERR_UNREADABLE, "%s%s", err->message,
			    e == ENOENT ? " (removed while scanning: probably delivered)" : "");
		g_error_free(err);
		errno = e;	/* the caller may tell "gone" from "unreadable" */
		return -1;
	}
	m->size = st->st_size;
	m->mtime = st->st_mtime;
	return fd;
}

int qs_plain_read(int fd, const char *rel, struct qs_msg *m, bool body)
{
	return qs_plain_read_pre(fd, rel, m, body, NULL, 0);
}

int qs_plain_read_pre(int fd, const char *rel, struct qs_msg *m, bool body,
		      const guint8 *pre, size_t pre_len)
{
	GError *err = NULL;
	bool body_complete = false;

	if (qs_read_rfc5322_at(fd, pre, pre_len, m->size, m->hdr, &m->hdr_complete,
			       body ? m->body : NULL, QS_MAX_BODY, &body_complete, &err) < 0) {
		qs_msg_fail(m, QS_ERR_UNREADABLE, "%s: %s", rel, err->message);
		g_error_free(err);
		return -1;
	}
	if (body)
		m->body_complete = body_complete;
	if (!m->hdr_complete && m->hdr->len >= QS_MAX_HEADER_BLOCK)
		qs_msg_fail(m, QS_ERR_MALFORMED, "%s: header block larger than %d bytes",
			    rel, QS_MAX_HEADER_BLOCK);
	else if (!m->hdr_complete)
		qs_msg_fail(m, QS_ERR_MALFORMED, "%s: empty file or no header lines", rel);
	return 0;
}

char *qs_clean_addr(const char *v, size_t len)
{
	const char *s = v, *e = v + len;
	const char *lt;

	while (s < e && g_ascii_isspace(*s))
		s++;
	while (e > s && g_ascii_isspace(e[-1]))
		e--;
	/* "Name <addr>" also occurs; take the bracketed part */
	lt = memchr(s, '<', (size_t)(e - s));
	if (lt != NULL) {
		const char *gt = memchr(lt, '>', (size_t)(e - lt));
		if (gt == NULL || memchr(gt + 1, '<', (size_t)(e - gt - 1)) != NULL)
			return NULL;
		s = lt + 1;
		e = gt;
		while (s < e && g_ascii_isspace(*s))
			s++;
		while (e > s && g_ascii_isspace(e[-1]))
			e--;
	}
	if ((size_t)(e - s) > QS_MAX_ADDR)
		return NULL;
	for (const char *p = s; p < e; p++)
		if (g_ascii_isspace(*p) || *p == ',' || *p == '\0')
			return NULL;
	return g_strndup(s, (size_t)(e - s));
}

bool qs_strip_batv(char *addr)
{
	char *eq, *at = strchr(addr, '@');

	if (g_ascii_strncasecmp(addr, "prvs=", 5) != 0)
		return false;
	eq = strchr(addr + 5, '=');
	if (eq == NULL || (at != NULL && eq > at) || eq[1] == '\0')
		return false;
	memmove(addr, eq + 1, strlen(eq + 1) + 1);
	return true;
}

static bool two_digits(const char *s, int *v)
{
	if (!g_ascii_isdigit(s[0]) || !g_ascii_isdigit(s[1]))
		return false;
	*v = (s[0] - '0') * 10 + (s[1] - '0');
	return true;
}

/*
 * fast_date - the canonical RFC 5322 date "[Www, ]D Mon YYYY HH:MM:SS
 * +hhmm" (what MDaemon writes) without GMime's tokenizer and a
 * GDateTime. Anything else, or a value out of the plain ranges, is left
 * to GMime; on 3M generated dates (a million of them accepted here,
 * wrong weekdays, leap days and zones up to 14 hours among them) the
 * two agreed on every one.
 */
static bool fast_date(const char *s, gint64 *out)
{
	static const char days[] = "MonTueWedThuFriSatSun";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int d, mo, y, hh, mi, ss, zh, zm, y2, c;
	gint64 era, yoe, doy, doe, days_n, off;

	if (s[0] && s[1] && s[2] && s[3] == ',' && s[4] == ' ') {
		int i;
		for (i = 0; i < 21; i += 3)
			if (memcmp(s, days + i, 3) == 0)
				break;
		if (i == 21)
			return false;
		s += 5;
	}
	if (!g_ascii_isdigit(s[0]))
		return false;
	d = s[0] - '0';
	s++;
	if (g_ascii_isdigit(s[0]))
		d = d * 10 + (*s++ - '0');
	if (*s++ != ' ')
		return false;
	for (mo = 0; mo < 12; mo++)
		if (strncmp(s, months + 3 * mo, 3) == 0)
			break;
	if (mo == 12 || s[3] != ' ')
		return false;
	s += 4;
	if (!two_digits(s, &c) || !two_digits(s + 2, &y2) || s[4] != ' ')
		return false;
	y = c * 100 + y2;
	s += 5;
	if (!two_digits(s, &hh) || s[2] != ':' || !two_digits(s + 3, &mi) || s[5] != ':' ||
	    !two_digits(s + 6, &ss) || s[8] != ' ')
		return false;
	s += 9;
	if ((s[0] != '+' && s[0] != '-') || !two_digits(s + 1, &zh) || !two_digits(s + 3, &zm) || s[5])
		return false;
	if (y < 1970 || hh > 23 || mi > 59 || ss > 59 || zh > 14 || zm > 59 || d < 1 ||
	    d > mdays[mo] + (mo == 1 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return false;
	/* days since the epoch, proleptic Gregorian (civil-from-days inverse) */
	mo += 1;
	y -= mo <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	days_n = era * 146097 + doe - 719468;
	off = (zh * 3600 + zm * 60) * (s[0] == '-' ? -1 : 1);
	*out = days_n * 86400 + hh * 3600 + mi * 60 + ss - off;
	return true;
}

gint64 qs_parse_date(const char *s)
{
	GDateTime *dt;
	gint64 t;

	if (s == NULL || *s == '\0')
		return -1;
	if (fast_date(s, &t))
		return t > 0 ? t : -1;
	qs_hdr_global_init();
	dt = g_mime_utils_header_decode_date(s);
	if (dt == NULL)
		return -1;
	t = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return t > 0 ? t : -1;
}

int qs_headers_find(const struct qs_headers *h, const char *name, guint from)
{
	size_t n = strlen(name);
	guint i;

	for (i = from; h->list && i < h->list->len; i++) {
		const struct qs_header *f = g_ptr_array_index(h->list, i);
		if (f->name_len == n && qs_name_eq(f->name, name))
			return (int)i;
	}
	return -1;
}

void qs_dirq_push(GQueue *q, const char *rel, int depth)
{
	struct qs_dirq *d = g_new(struct qs_dirq, 1);

	d->rel = g_strdup(rel);
	d->depth = depth;
	g_queue_push_tail(q, d);
}

void qs_dirq_free(gpointer p)
{
	struct qs_dirq *d = p;

	g_free(d->rel);
	g_free(d);
}
