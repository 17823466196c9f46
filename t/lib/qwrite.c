/*
 * qwrite.c - lay one message out as Postfix, qmail, MDaemon or IceWarp
 * keep it on disk (see qwrite.h). Test code: errors go to GError, the
 * caller decides; every byte written is the format's, nothing more.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "qwrite.h"

#define QW_DOMAIN g_quark_from_static_string("qwrite")
#define QMAIL_SPLIT 23
#define PF_LINE_LIMIT 2048

void qw_env_init(struct qw_env *e)
{
	memset(e, 0, sizeof *e);
	e->rcpts = g_ptr_array_new_with_free_func(g_free);
	e->done = g_ptr_array_new_with_free_func(g_free);
}

void qw_env_clear(struct qw_env *e)
{
	g_free(e->sender);
	g_ptr_array_unref(e->rcpts);
	g_ptr_array_unref(e->done);
	g_free(e->client_ip);
	g_free(e->client_helo);
	g_free(e->client_name);
	g_free(e->auth_user);
	memset(e, 0, sizeof *e);
}

/* "<a@b>" or "a@b" -> "a@b" */
static char *unangle(const char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && v[0] == '<' && v[n - 1] == '>')
		return g_strndup(v + 1, n - 2);
	return g_strdup(v);
}

static gint64 parse_time(const char *v, GError **err)
{
	GDateTime *dt;
	gint64 t;
	char *end;

	t = g_ascii_strtoll(v, &end, 10);
	if (*v && *end == '\0')
		return t;
	dt = g_date_time_new_from_iso8601(v, NULL);
	if (dt == NULL) {
		g_set_error(err, QW_DOMAIN, 1, "X-Qscan-Arrival: %s is neither unix seconds nor ISO 8601", v);
		return -1;
	}
	t = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return t;
}

static void parse_client(struct qw_env *e, const char *v)
{
	char **w = g_strsplit(v, " ", -1);

	for (int i = 0; w[i]; i++) {
		if (*w[i] == '\0')
			continue;
		if (g_str_has_prefix(w[i], "helo="))
			e->client_helo = g_strdup(w[i] + 5);
		else if (g_str_has_prefix(w[i], "name="))
			e->client_name = g_strdup(w[i] + 5);
		else if (e->client_ip == NULL)
			e->client_ip = g_strdup(w[i]);
	}
	g_strfreev(w);
}

/* one pseudo-header line (no line end); false when it is not one */
static bool pseudo(struct qw_env *e, const char *l, GError **err)
{
	const char *v = strchr(l, ':');
	char *name;
	bool ok = true;

	if (v == NULL || g_ascii_strncasecmp(l, "X-Qscan-", 8) != 0)
		return false;
	name = g_strndup(l, (size_t)(v - l));
	for (v++; *v == ' ' || *v == '\t'; v++)
		;
	if (g_ascii_strcasecmp(name, "X-Qscan-Sender") == 0) {
		g_free(e->sender);
		e->sender = unangle(v);
	} else if (g_ascii_strcasecmp(name, "X-Qscan-Rcpt") == 0) {
		g_ptr_array_add(e->rcpts, unangle(v));
		e->rcpts_known = true;
	} else if (g_ascii_strcasecmp(name, "X-Qscan-Rcpt-Done") == 0) {
		g_ptr_array_add(e->done, unangle(v));
		e->rcpts_known = true;
	} else if (g_ascii_strcasecmp(name, "X-Qscan-Client") == 0) {
		parse_client(e, v);
	} else if (g_ascii_strcasecmp(name, "X-Qscan-Auth") == 0) {
		e->auth_user = g_strdup(v);
	} else if (g_ascii_strcasecmp(name, "X-Qscan-Local") == 0) {
		e->local = g_ascii_strcasecmp(v, "yes") == 0;
	} else if (g_ascii_strcasecmp(name, "X-Qscan-Suspect") == 0) {
		e->suspect = g_ascii_strcasecmp(v, "yes") == 0;
	} else if (g_ascii_strcasecmp(name, "X-Qscan-Arrival") == 0) {
		e->arrival = parse_time(v, err);
		ok = e->arrival >= 0;
	}
	/* an unknown X-Qscan- name is ignored, as the loader would keep it */
	g_free(name);
	return ok;
}

int qw_case_load(const char *path, struct qw_env *e, GByteArray *msg, GError **err)
{
	gchar *data;
	gsize len, off = 0;

	if (!g_file_get_contents(path, &data, &len, err))
		return QW_ERROR;
	while (off < len) {
		const char *nl = memchr(data + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - data) : len;
		char *line = g_strndup(data + off, end - off);
		bool is;
		GError *e2 = NULL;

		g_strchomp(line);	/* a CR before LF */
		is = pseudo(e, line, &e2);
		g_free(line);
		if (e2 != NULL) {
			g_propagate_prefixed_error(err, e2, "%s: ", path);
			g_free(data);
			return QW_ERROR;
		}
		if (!is)
			break;
		off = nl ? end + 1 : len;
	}
	g_byte_array_append(msg, (const guint8 *)data + off, (guint)(len - off));
	g_free(data);
	return QW_OK;
}

/* ---------------------------------------------------------------- helpers */

static int mkdirs(const char *dir, GError **err)
{
	if (g_mkdir_with_parents(dir, 0700) < 0) {
		g_set_error(err, QW_DOMAIN, errno, "mkdir %s: %s", dir, g_strerror(errno));
		return QW_ERROR;
	}
	return QW_OK;
}

static int write_all(int fd, const void *p, size_t n, const char *path, GError **err)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			g_set_error(err, QW_DOMAIN, errno, "write %s: %s", path, g_strerror(errno));
			return QW_ERROR;
		}
		c += w;
		n -= (size_t)w;
	}
	return QW_OK;
}

static int write_file(const char *path, const void *p, size_t n, mode_t mode, gint64 mtime, GError **err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
	int rc;

	if (fd < 0) {
		g_set_error(err, QW_DOMAIN, errno, "create %s: %s", path, g_strerror(errno));
		return QW_ERROR;
	}
	rc = write_all(fd, p, n, path, err);
	if (close(fd) < 0 && rc == QW_OK) {
		g_set_error(err, QW_DOMAIN, errno, "close %s: %s", path, g_strerror(errno));
		rc = QW_ERROR;
	}
	if (rc == QW_OK && mtime > 0) {
		struct timeval tv[2] = { { (time_t)mtime, 0 }, { (time_t)mtime, 0 } };
		utimes(path, tv);
	}
	return rc;
}

static gint64 arrival_of(const struct qw_env *e)
{
	return e->arrival > 0 ? e->arrival : g_get_real_time() / G_USEC_PER_SEC;
}

/* "Mon, 23 Nov 2026 10:00:00 +0000" (rfc = true) or qmail's
 * "23 Nov 2026 10:00:00 -0000" */
static char *date_of(gint64 t, bool rfc)
{
	GDateTime *dt = g_date_time_new_from_unix_utc(t);
	char *s = g_date_time_format(dt, rfc ? "%a, %d %b %Y %H:%M:%S +0000" : "%d %b %Y %H:%M:%S -0000");

	g_date_time_unref(dt);
	return s;
}

/* the domain an MTA routes on: after the last '@', lower case */
static bool is_local(const struct qw_site *s, const char *addr)
{
	const char *at = strrchr(addr, '@');
	char *d;
	bool local = false;

	if (at == NULL || s->local_domains == NULL)
		return at == NULL;	/* a bare local part is local */
	d = g_ascii_strdown(at + 1, -1);
	if (d[0] == '[' && s->address) {
		local = strncmp(d + 1, s->address, strlen(s->address)) == 0 &&
			d[1 + strlen(s->address)] == ']';
	}
	for (int i = 0; !local && s->local_domains[i]; i++) {
		const char *ld = s->local_domains[i];
		if (*ld == '.')
			local = g_str_has_suffix(d, ld);
		else
			local = g_ascii_strcasecmp(d, ld) == 0;
	}
	g_free(d);
	return local;
}

/* split the message at the empty line: header (with its final line end)
 * and the rest; LF or CRLF */
static size_t header_len(const guint8 *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '\n')
			continue;
		if (i + 1 < n && p[i + 1] == '\n')
			return i + 1;
		if (i + 2 < n && p[i + 1] == '\r' && p[i + 2] == '\n')
			return i + 1;
	}
	return n;
}

/* copy src to dst with every line end turned into "\n" or "\r\n" */
static void append_lines(GString *dst, const guint8 *p, size_t n, bool crlf)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
			continue;
		if (p[i] == '\n')
			g_string_append(dst, crlf ? "\r\n" : "\n");
		else
			g_string_append_c(dst, (char)p[i]);
	}
}

/* has the header block a field of this name? */
static bool has_field(const guint8 *p, size_t hlen, const char *name)
{
	size_t nl = strlen(name);

	for (size_t i = 0; i + nl < hlen; i++) {
		if ((i == 0 || p[i - 1] == '\n') && p[i + nl] == ':' &&
		    g_ascii_strncasecmp((const char *)p + i, name, nl) == 0)
			return true;
	}
	return false;
}


/* ------------------------------------------------- the receiving hop */

/*
 * The corpus messages already carry the Received line of the server that
 * accepted them (mostly Postfix's). When the envelope names the same
 * client, that line IS the receiving hop: a writer replaces it by its own
 * MTA's line instead of stacking a second hop of ours on top (which
 * would push the original below an external client, where POLICY.md
 * treats it as client-supplied). Replaced only when nothing is lost but
 * its "for" clause, which is handed over: the line is written by this
 * host, names the client IP, and claims AUTH only if the envelope has it.
 */
struct rcvd_cut {
	size_t start, end;	/* bytes of the whole field, line end included */
	char *for_addr;		/* its "for <addr>", or NULL */
};

static bool contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (g_ascii_strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

static bool find_receiving(const guint8 *p, size_t hlen, const struct qw_env *e, const struct qw_site *s,
			   struct rcvd_cut *c)
{
	size_t i = 0, j;
	GString *u;
	char *pat, *f;
	bool ok;

	memset(c, 0, sizeof *c);
	if (e->client_ip == NULL)
		return false;
	while (i < hlen && !(hlen - i > 9 && g_ascii_strncasecmp((const char *)p + i, "Received:", 9) == 0)) {
		const guint8 *nl = memchr(p + i, '\n', hlen - i);
		i = nl ? (size_t)(nl - p) + 1 : hlen;
	}
	if (i >= hlen)
		return false;
	for (j = i;;) {
		const guint8 *nl = memchr(p + j, '\n', hlen - j);
		j = nl ? (size_t)(nl - p) + 1 : hlen;
		if (j >= hlen || (p[j] != ' ' && p[j] != '\t'))
			break;
	}
	u = g_string_new(NULL);
	for (size_t k = i; k < j; k++)
		g_string_append_c(u, (p[k] == '\r' || p[k] == '\n' || p[k] == '\t') ? ' ' : (char)p[k]);
	pat = g_strdup_printf(" by %s ", s->hostname);
	ok = contains_ci(u->str, pat);
	g_free(pat);
	pat = g_strdup_printf("[%s]", e->client_ip);
	ok = ok && (contains_ci(u->str, pat) || (strchr(e->client_ip, ':') && (g_free(pat),
		    pat = g_strdup_printf("[IPv6:%s]", e->client_ip), contains_ci(u->str, pat))));
	g_free(pat);
	if (ok && e->auth_user == NULL)
		ok = !contains_ci(u->str, "SMTPA") && !contains_ci(u->str, "SMTPSA") &&
		     !contains_ci(u->str, "Authenticated") && !contains_ci(u->str, "ASMTP");
	if (ok && (f = strstr(u->str, " for <")) != NULL) {
		char *gt = strchr(f + 6, '>');
		if (gt)
			c->for_addr = g_strndup(f + 6, (size_t)(gt - f - 6));
	}
	g_string_free(u, TRUE);
	if (ok) {
		c->start = i;
		c->end = j;
	}
	return ok;
}

/* the message without the cut field */
static GByteArray *without(const guint8 *p, size_t n, const struct rcvd_cut *c)
{
	GByteArray *b = g_byte_array_new();

	g_byte_array_append(b, p, (guint)c->start);
	g_byte_array_append(b, p + c->end, (guint)(n - c->end));
	return b;
}

/* ---------------------------------------------------------------- Postfix */

static void rec(GByteArray *b, char type, const void *data, size_t len)
{
	guint8 t = (guint8)type;
	size_t l = len;

	g_byte_array_append(b, &t, 1);
	do {
		guint8 c = l & 0x7f;
		l >>= 7;
		if (l)
			c |= 0x80;
		g_byte_array_append(b, &c, 1);
	} while (l);
	g_byte_array_append(b, data, (guint)len);
}

static void rec_s(GByteArray *b, char type, const char *s)
{
	rec(b, type, s, strlen(s));
}

static void attr(GByteArray *b, const char *name, const char *value)
{
	char *s = g_strdup_printf("%s=%s", name, value);

	rec_s(b, 'A', s);
	g_free(s);
}

/* content records: one N per line (no line end), L chunks above the limit */
static void content(GByteArray *b, const guint8 *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		const guint8 *nl = memchr(p + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - p) : n, len = end - i;
		if (len > 0 && p[end - 1] == '\r' && nl)
			len--;
		while (len > PF_LINE_LIMIT) {
			rec(b, 'L', p + i, PF_LINE_LIMIT);
			i += PF_LINE_LIMIT;
			len -= PF_LINE_LIMIT;
		}
		rec(b, nl ? 'N' : 'L', p + i, len);
		i = nl ? end + 1 : n;
	}
}

static void client_attrs(GByteArray *b, const struct qw_env *e, const struct qw_site *s, const char *id)
{
	bool v6 = strchr(e->client_ip, ':') != NULL;
	const char *name = e->client_name ? e->client_name : "unknown";
	const char *proto = e->auth_user ? "ESMTPA" : "ESMTP";
	char *rfc = g_strdup_printf("%s%s", v6 ? "IPv6:" : "", e->client_ip);
	char *origin = g_strdup_printf("%s[%s]", name, rfc);

	attr(b, "log_client_name", name);
	attr(b, "log_client_address", rfc);
	attr(b, "log_client_port", "40000");
	attr(b, "log_message_origin", origin);
	if (e->client_helo)
		attr(b, "log_helo_name", e->client_helo);
	attr(b, "log_protocol_name", proto);
	attr(b, "client_name", name);
	attr(b, "reverse_client_name", name);
	attr(b, "client_address", e->client_ip);
	attr(b, "client_port", "40000");
	attr(b, "server_address", s->address ? s->address : "127.0.0.1");
	attr(b, "server_port", "25");
	if (e->client_helo)
		attr(b, "helo_name", e->client_helo);
	attr(b, "protocol_name", proto);
	attr(b, "client_address_type", v6 ? "10" : "2");
	(void)id;
	g_free(rfc);
	g_free(origin);
}

static void pf_envelope(GByteArray *b, const struct qw_env *e, const struct qw_site *s,
			const char *id, gint64 t, unsigned usec)
{
	char *v = g_strdup_printf("%" G_GINT64_FORMAT " %u", t, usec);

	rec_s(b, 'T', v);
	g_free(v);
	v = g_strdup_printf("%" G_GINT64_FORMAT, t);
	attr(b, "create_time", v);
	g_free(v);
	if (e->client_ip)
		attr(b, "log_ident", id);
	attr(b, "rewrite_context", e->local && !e->client_ip ? "local" : "remote");
	if (e->auth_user) {
		attr(b, "sasl_method", "PLAIN");
		attr(b, "sasl_username", e->auth_user);
	}
	if (e->local && !e->client_ip)
		rec_s(b, 'F', "root");
	rec_s(b, 'S', e->sender);
	if (e->client_ip)
		client_attrs(b, e, s, id);
	for (guint i = 0; i < e->done->len; i++) {
		rec_s(b, 'O', g_ptr_array_index(e->done, i));
		rec_s(b, 'D', g_ptr_array_index(e->done, i));
	}
	for (guint i = 0; i < e->rcpts->len; i++) {
		rec_s(b, 'O', g_ptr_array_index(e->rcpts, i));
		rec_s(b, 'R', g_ptr_array_index(e->rcpts, i));
	}
}

static int write_postfix(const char *dir, unsigned seq, const struct qw_site *s, const struct qw_env *e,
			 const guint8 *msg, size_t len, GPtrArray *ids, GError **err)
{
	unsigned usec = (seq * 7919u) % 0x100000u;
	char *tmp = g_strdup_printf("%s/incoming/%u.%d", dir, usec, (int)getpid());
	char *incoming = g_strdup_printf("%s/incoming", dir);
	GByteArray *b = g_byte_array_new();
	char cbuf[100], *id = NULL, *sub = NULL, *path = NULL;
	struct stat st;
	gint64 t = arrival_of(e);
	size_t data_off, x_off;
	int fd = -1, rc = QW_ERROR;

	if (mkdirs(incoming, err) < 0 || mkdirs(dir, err) < 0)
		goto out;
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
	if (fd < 0 || fstat(fd, &st) < 0) {
		g_set_error(err, QW_DOMAIN, errno, "create %s: %s", tmp, g_strerror(errno));
		goto out;
	}
	id = g_strdup_printf("%05X%lX", usec, (unsigned long)st.st_ino);
	/* C is fixed width: write a placeholder, fill it in at the end */
	memset(cbuf, ' ', 95);
	rec(b, 'C', cbuf, 95);
	pf_envelope(b, e, s, id, t, usec);
	rec(b, 'M', "", 0);
	data_off = b->len;
	content(b, msg, len);
	x_off = b->len;
	rec(b, 'X', "", 0);
	rec(b, 'E', "", 0);
	g_snprintf(cbuf, sizeof cbuf, "%15zu %15zu %15u %15d %15zu %15d", x_off - data_off, data_off,
		   e->rcpts->len + e->done->len, 0, x_off - data_off, 0);
	memcpy(b->data + 2, cbuf, 95);
	if (write_all(fd, b->data, b->len, tmp, err) < 0)
		goto out;
	if (fchmod(fd, 0700) < 0 || fsync(fd) < 0) {
		g_set_error(err, QW_DOMAIN, errno, "fchmod %s: %s", tmp, g_strerror(errno));
		goto out;
	}
	{
		struct timeval tv[2] = { { (time_t)t, 0 }, { (time_t)t, 0 } };
		futimes(fd, tv);
	}
	sub = g_strdup_printf("%s/deferred/%c", dir, id[0]);
	path = g_strdup_printf("%s/%s", sub, id);
	if (mkdirs(sub, err) < 0)
		goto out;
	if (rename(tmp, path) < 0) {
		g_set_error(err, QW_DOMAIN, errno, "rename %s: %s", tmp, g_strerror(errno));
		goto out;
	}
	g_ptr_array_add(ids, id);
	id = NULL;
	rc = QW_OK;
out:
	if (fd >= 0)
		close(fd);
	if (rc != QW_OK)
		unlink(tmp);
	g_byte_array_unref(b);
	g_free(tmp);
	g_free(incoming);
	g_free(id);
	g_free(sub);
	g_free(path);
	return rc;
}

/* ---------------------------------------------------------------- qmail */

/* qmail's received.c keeps [A-Za-z0-9.@%+/=:\-\[\]] and turns the rest to '?' */
static void qmail_safe(GString *s, const char *v)
{
	for (; *v; v++)
		g_string_append_c(s, (g_ascii_isalnum(*v) || strchr(".@%+/=:-[]", *v)) ? *v : '?');
}

static void qmail_trace(GString *h, const struct qw_env *e, const struct qw_site *s, gint64 t, unsigned pid)
{
	char *date = date_of(t, false);
	const char *name = e->client_name ? e->client_name : "unknown";

	if (e->client_ip == NULL) {
		g_string_append_printf(h, "Received: (qmail %u invoked by uid 0); %s\n", pid, date);
		g_free(date);
		return;
	}
	g_string_append_printf(h, "Received: (qmail %u invoked from network); %s\n", pid, date);
	g_string_append(h, "Received: from ");
	qmail_safe(h, name);
	if (e->client_helo && g_ascii_strcasecmp(e->client_helo, name) != 0) {
		g_string_append(h, " (HELO ");
		qmail_safe(h, e->client_helo);
		g_string_append_c(h, ')');
	}
	g_string_append(h, " (");
	if (e->auth_user) {	/* the smtp-auth patch puts the login in the ident part */
		qmail_safe(h, e->auth_user);
		g_string_append_c(h, '@');
	}
	qmail_safe(h, e->client_ip);
	g_string_append_printf(h, ")\n  by %s with %s; %s\n", s->hostname, e->auth_user ? "ESMTPA" : "SMTP", date);
	g_free(date);
}

static GString *channel(const GPtrArray *a, const GPtrArray *done, const struct qw_site *s, bool local)
{
	GString *c = g_string_new(NULL);

	for (guint i = 0; i < done->len; i++)
		if (is_local(s, g_ptr_array_index(done, i)) == local)
			g_string_append_printf(c, "D%s%c", (char *)g_ptr_array_index(done, i), 0);
	for (guint i = 0; i < a->len; i++)
		if (is_local(s, g_ptr_array_index(a, i)) == local)
			g_string_append_printf(c, "T%s%c", (char *)g_ptr_array_index(a, i), 0);
	return c;
}

static int qmail_dirs(const char *dir, GError **err)
{
	static const char *const sub[] = { "mess", "info", "local", "remote", "intd", "todo", "bounce", NULL };

	for (int i = 0; sub[i]; i++) {
		for (int n = 0; n < QMAIL_SPLIT; n++) {
			char *d = g_strdup_printf("%s/%s/%d", dir, sub[i], n);
			int rc = mkdirs(d, err);
			g_free(d);
			if (rc < 0)
				return rc;
			if (strcmp(sub[i], "todo") == 0 || strcmp(sub[i], "intd") == 0 || strcmp(sub[i], "bounce") == 0)
				break;	/* not split: only the top directory */
		}
	}
	{
		char *lock = g_strdup_printf("%s/lock", dir);
		int rc = mkdirs(lock, err);
		g_free(lock);
		return rc;
	}
}

static int write_qmail(const char *dir, unsigned seq, const struct qw_site *s, const struct qw_env *e,
		       const guint8 *msg, size_t len, GPtrArray *ids, GError **err)
{
	GString *m = g_string_new(NULL), *loc = NULL, *rem = NULL;
	GByteArray *rest = NULL;
	char *tmp = g_strdup_printf("%s/pid/%d.%u", dir, (int)getpid(), seq), *piddir = g_strdup_printf("%s/pid", dir);
	char *mess = NULL, *info = NULL, *lp = NULL, *rp = NULL, *finfo = NULL;
	gint64 t = arrival_of(e);
	unsigned long num;
	struct stat st;
	int rc = QW_ERROR;

	if (qmail_dirs(dir, err) < 0 || mkdirs(piddir, err) < 0)
		goto out;
	if (!(len > 16 && memcmp(msg, "Received: (qmail ", 17) == 0) && (e->client_ip || e->local)) {
		struct rcvd_cut c;
		qmail_trace(m, e, s, t, 10000 + seq);
		if (find_receiving(msg, header_len(msg, len), e, s, &c)) {
			rest = without(msg, len, &c);	/* qmail-smtpd's line has no "for" */
			msg = rest->data;
			len = rest->len;
			g_free(c.for_addr);
		}
	}
	append_lines(m, msg, len, false);
	if (write_file(tmp, m->str, m->len, 0644, 0, err) < 0 || stat(tmp, &st) < 0)
		goto out;
	num = (unsigned long)st.st_ino;	/* qmail-queue names the message by its inode */
	mess = g_strdup_printf("%s/mess/%lu/%lu", dir, num % QMAIL_SPLIT, num);
	if (link(tmp, mess) < 0) {
		g_set_error(err, QW_DOMAIN, errno, "link %s: %s", mess, g_strerror(errno));
		goto out;
	}
	unlink(tmp);
	finfo = g_strdup_printf("F%s", e->sender);
	info = g_strdup_printf("%s/info/%lu/%lu", dir, num % QMAIL_SPLIT, num);
	if (write_file(info, finfo, strlen(finfo) + 1, 0600, t, err) < 0)
		goto out;
	loc = channel(e->rcpts, e->done, s, true);
	rem = channel(e->rcpts, e->done, s, false);
	lp = g_strdup_printf("%s/local/%lu/%lu", dir, num % QMAIL_SPLIT, num);
	rp = g_strdup_printf("%s/remote/%lu/%lu", dir, num % QMAIL_SPLIT, num);
	if ((loc->len && write_file(lp, loc->str, loc->len, 0600, 0, err) < 0) ||
	    (rem->len && write_file(rp, rem->str, rem->len, 0600, 0, err) < 0))
		goto out;
	g_ptr_array_add(ids, g_strdup_printf("%lu", num));
	rc = QW_OK;
out:
	unlink(tmp);
	if (rest)
		g_byte_array_unref(rest);
	g_string_free(m, TRUE);
	if (loc)
		g_string_free(loc, TRUE);
	if (rem)
		g_string_free(rem, TRUE);
	g_free(tmp);
	g_free(piddir);
	g_free(mess);
	g_free(info);
	g_free(finfo);
	g_free(lp);
	g_free(rp);
	return rc;
}

/* ---------------------------------------------------------------- MDaemon */

static void md_field(GString *h, const guint8 *msg, size_t hlen, const char *name, const char *v)
{
	if (v != NULL && !has_field(msg, hlen, name))
		g_string_append_printf(h, "%s: %s\r\n", name, v);
}

static int md_one(const char *dir, const char *rcpt, const char *for_addr, unsigned num, const struct qw_site *s,
		  const struct qw_env *e, const guint8 *msg, size_t len, GPtrArray *ids, GError **err)
{
	const char *q = rcpt && is_local(s, rcpt) ? "Local" : "Remote";
	char *id = g_strdup_printf("md50%09u.msg", num);
	char *qdir = g_strdup_printf("%s/%s", dir, q), *path = g_strdup_printf("%s/%s", qdir, id);
	char *date = date_of(arrival_of(e), true), *hw;
	size_t hlen = header_len(msg, len);
	GString *h = g_string_new(NULL);
	int rc = QW_ERROR;

	if (mkdirs(qdir, err) < 0)
		goto out;
	if (e->client_ip) {
		if (e->client_helo)
			g_string_append_printf(h, "Received: from %s ([%s])", e->client_helo, e->client_ip);
		else
			g_string_append_printf(h, "Received: from [%s]", e->client_ip);
		g_string_append_printf(h, " by %s (MDaemon PRO v16.5.2)\r\n\twith %s id %s", s->hostname,
				       e->auth_user ? "ESMTPA" : "ESMTP", id);
		if (for_addr)
			g_string_append_printf(h, " for <%s>", for_addr);
		g_string_append_printf(h, ";\r\n\t%s\r\n", date);
	}
	md_field(h, msg, hlen, "X-MDaemon-Deliver-To", rcpt);
	if (e->sender) {
		md_field(h, msg, hlen, "X-Envelope-From", e->sender);
		md_field(h, msg, hlen, "X-Return-Path", e->sender);
	}
	md_field(h, msg, hlen, "X-MDRemoteIP", e->client_ip);
	md_field(h, msg, hlen, "X-MDHelo", e->client_ip ? e->client_helo : NULL);
	md_field(h, msg, hlen, "X-Authenticated-Sender", e->auth_user);
	md_field(h, msg, hlen, "X-MDArrival-Date", date);
	append_lines(h, msg, hlen, true);
	if (e->suspect)		/* a second copy, as a client could have sent it */
		g_string_append(h, "X-Envelope-From: postmaster@example.com\r\n");
	append_lines(h, msg + hlen, len - hlen, true);
	if (write_file(path, h->str, h->len, 0644, arrival_of(e), err) < 0)
		goto out;
	hw = g_strdup_printf("%u\r\n", num);
	g_free(path);
	path = g_strdup_printf("%s/HIWATER.MRK", qdir);
	unlink(path);
	rc = write_file(path, hw, strlen(hw), 0644, 0, err);
	g_free(hw);
	if (rc == QW_OK)
		g_ptr_array_add(ids, g_strdup(id));
out:
	g_string_free(h, TRUE);
	g_free(id);
	g_free(qdir);
	g_free(path);
	g_free(date);
	return rc;
}

static int write_mdaemon(const char *dir, unsigned seq, const struct qw_site *s, const struct qw_env *e,
			 const guint8 *msg, size_t len, GPtrArray *ids, GError **err)
{
	static const char *const queues[] = { "Remote", "Local", "Inbound", "Bad", NULL };

	for (int i = 0; queues[i]; i++) {
		char *d = g_strdup_printf("%s/%s", dir, queues[i]);
		int rc = mkdirs(d, err);
		g_free(d);
		if (rc < 0)
			return rc;
	}
	struct rcvd_cut c;
	GByteArray *rest = NULL;
	bool cut = find_receiving(msg, header_len(msg, len), e, s, &c);
	int rc = QW_OK;

	if (cut) {
		rest = without(msg, len, &c);
		msg = rest->data;
		len = rest->len;
	}
	if (!e->rcpts_known)
		rc = md_one(dir, NULL, cut ? c.for_addr : NULL, seq * 100, s, e, msg, len, ids, err);
	/* one file per pending recipient; at most 100 per message */
	for (guint i = 0; e->rcpts_known && rc == QW_OK && i < e->rcpts->len && i < 100; i++) {
		const char *r = g_ptr_array_index(e->rcpts, i);
		rc = md_one(dir, r, cut ? c.for_addr : r, seq * 100 + i, s, e, msg, len, ids, err);
	}
	if (rest)
		g_byte_array_unref(rest);
	g_free(c.for_addr);
	return rc;
}

/* ---------------------------------------------------------------- IceWarp */

static int write_icewarp(const char *dir, unsigned seq, const struct qw_site *s, const struct qw_env *e,
			 const guint8 *msg, size_t len, GPtrArray *ids, GError **err)
{
	gint64 t = arrival_of(e);
	GDateTime *dt = g_date_time_new_from_unix_utc(t);
	char *stamp = g_date_time_format(dt, "%Y%m%d%H%M%S");
	char *id = g_strdup_printf("%s%04u", stamp, seq % 10000);
	char *qdir = g_strdup_printf("%s/_outgoing/priority_2", dir);
	char *path = g_strdup_printf("%s/%s.tmp", qdir, id), *date = date_of(t, true);
	GString *h = g_string_new(NULL);
	struct rcvd_cut c;
	GByteArray *rest = NULL;
	bool cut = find_receiving(msg, header_len(msg, len), e, s, &c);
	const char *for_addr = cut ? c.for_addr : e->rcpts->len == 1 ? g_ptr_array_index(e->rcpts, 0) : NULL;
	int rc = QW_ERROR;

	g_date_time_unref(dt);
	if (cut) {
		rest = without(msg, len, &c);
		msg = rest->data;
		len = rest->len;
	}
	for (int p = 0; p <= 4; p++) {
		char *d = g_strdup_printf("%s/_outgoing/priority_%d", dir, p);
		rc = mkdirs(d, err);
		g_free(d);
		if (rc < 0)
			goto out;
	}
	rc = QW_ERROR;
	if (e->client_ip) {
		g_string_append_printf(h, "Received: from %s%s([%s]) by %s (IceWarp 12.0.2.1) with %s id %s",
				       e->client_helo ? e->client_helo : "", e->client_helo ? " " : "",
				       e->client_ip, s->hostname,
				       e->auth_user ? "ASMTP" : "SMTP", id);
		if (for_addr)
			g_string_append_printf(h, "\r\n\tfor <%s>", for_addr);
		g_string_append_printf(h, "; %s\r\n", date);
	}
	append_lines(h, msg, len, true);
	if (write_file(path, h->str, h->len, 0644, t, err) < 0)
		goto out;
	g_ptr_array_add(ids, g_strdup(id));	/* the id is the base name */
	rc = QW_OK;
out:
	if (rest)
		g_byte_array_unref(rest);
	g_free(c.for_addr);
	g_string_free(h, TRUE);
	g_free(stamp);
	g_free(id);
	g_free(qdir);
	g_free(path);
	g_free(date);
	return rc;
}

/* ---------------------------------------------------------------- entry */

int qw_write(const char *format, const char *dir, unsigned seq, const struct qw_site *site,
	     const struct qw_env *e, const guint8 *msg, size_t len, GPtrArray *ids,
	     char **why, GError **err)
{
	bool pfq = strcmp(format, "postfix") == 0 || strcmp(format, "qmail") == 0;

	*why = NULL;
	if (pfq && e->sender == NULL)
		*why = g_strdup("the envelope sender is unknown; this format always records it");
	else if (pfq && !e->rcpts_known)
		*why = g_strdup("the recipients are unknown; this format always records them");
	else if (pfq && e->suspect)
		*why = g_strdup("a suspect envelope has no representation in this format's metadata");
	if (*why)
		return QW_UNREPRESENTABLE;
	if (strcmp(format, "postfix") == 0)
		return write_postfix(dir, seq, site, e, msg, len, ids, err);
	if (strcmp(format, "qmail") == 0)
		return write_qmail(dir, seq, site, e, msg, len, ids, err);
	if (strcmp(format, "mdaemon") == 0)
		return write_mdaemon(dir, seq, site, e, msg, len, ids, err);
	if (strcmp(format, "icewarp") == 0)
		return write_icewarp(dir, seq, site, e, msg, len, ids, err);
	g_set_error(err, QW_DOMAIN, EINVAL, "unknown queue format %s", format);
	return QW_ERROR;
}
