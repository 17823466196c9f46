/* eml.c - plain RFC 5322 files and the corpus pseudo-headers; see eml.h. */
#include "config.h"
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "conf.h"
#include "eml.h"
#include "hdr.h"
#include "qs_limits.h"
#include "util.h"

/* strip "<...>" and blanks; "<>" and "" give "" */
static char *envelope_addr(const char *v)
{
	char *s = g_strstrip(g_strdup(v));
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		memmove(s, s + 1, n - 2);
		s[n - 2] = '\0';
	}
	return s;
}

static void set_client(struct qs_msg *m, const char *v)
{
	char **w = g_strsplit_set(v, " \t", -1);
	int i;

	for (i = 0; w[i]; i++) {
		if (*w[i] == '\0')
			continue;
		if (g_str_has_prefix(w[i], "helo="))
			qs_msg_set(&m->client_helo, w[i] + 5, strlen(w[i] + 5));
		else if (g_str_has_prefix(w[i], "name="))
			qs_msg_set(&m->client_name, w[i] + 5, strlen(w[i] + 5));
		else if (m->client_ip == NULL) {
			/* "[192.0.2.1]", "[IPv6:2001:db8::1]" and mapped forms as plain IPs */
			char *ip = qs_ip_normalize(w[i]);
			qs_msg_set(&m->client_ip, ip ? ip : w[i], strlen(ip ? ip : w[i]));
			g_free(ip);
		}
	}
	g_strfreev(w);
}

static gint64 parse_time(const char *v)
{
	guint64 n;
	GDateTime *dt;
	gint64 t;

	if (qs_parse_uint(v, 0, G_MAXINT64, &n))
		return (gint64)n;
	dt = g_date_time_new_from_iso8601(v, NULL);
	if (dt == NULL)
		return -1;
	t = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return t;
}

/* pseudo - apply one "X-Qscan-Name: value" line; false if not one of ours */
static bool pseudo(struct qs_msg *m, const char *line)
{
	const char *colon = strchr(line, ':');
	char *name, *value, *a;
	bool yes = true;

	if (colon == NULL || g_ascii_strncasecmp(line, "X-Qscan-", 8) != 0)
		return false;
	name = g_strndup(line, (gsize)(colon - line));
	value = g_strstrip(g_strdup(colon + 1));
	if (g_ascii_strcasecmp(name, "X-Qscan-Sender") == 0) {
		a = envelope_addr(value);
		g_free(m->sender);
		m->sender = a;
	} else if (g_ascii_strcasecmp(name, "X-Qscan-Rcpt") == 0 ||
		   g_ascii_strcasecmp(name, "X-Qscan-Rcpt-Done") == 0) {
		a = envelope_addr(value);
		if (*a && m->rcpts->len < QS_MAX_RCPTS)
			qs_msg_add_rcpt(m, a, strlen(a), g_ascii_strcasecmp(name, "X-Qscan-Rcpt-Done") == 0);
		m->rcpts_known = true;
		g_free(a);
	} else if (g_ascii_strcasecmp(name, "X-Qscan-Client") == 0) {
		set_client(m, value);
	} else if (g_ascii_strcasecmp(name, "X-Qscan-Auth") == 0) {
		qs_msg_set(&m->auth_user, value, strlen(value));
	} else if (g_ascii_strcasecmp(name, "X-Qscan-Local") == 0) {
		m->local_submission = g_ascii_strcasecmp(value, "yes") == 0;
	} else if (g_ascii_strcasecmp(name, "X-Qscan-Suspect") == 0) {
		m->envelope_suspect = g_ascii_strcasecmp(value, "yes") == 0;
	} else if (g_ascii_strcasecmp(name, "X-Qscan-Arrival") == 0) {
		m->arrival = parse_time(value);
	} else {
		yes = false;
	}
	g_free(name);
	g_free(value);
	return yes;
}

/* take_pseudo - consume the leading pseudo-header lines of m->hdr */
static void take_pseudo(struct qs_msg *m)
{
	size_t pos = 0;

	while (pos < m->hdr->len) {
		const guint8 *p = m->hdr->data + pos;
		const guint8 *nl = memchr(p, '\n', m->hdr->len - pos);
		size_t n = nl ? (size_t)(nl - p) : m->hdr->len - pos;
		char *line = g_strndup((const char *)p, n);
		bool used = pseudo(m, line);
		g_free(line);
		if (!used)
			break;
		pos += n + (nl ? 1 : 0);
	}
	if (pos > 0)
		g_byte_array_remove_range(m->hdr, 0, (guint)pos);
}

static void check_form(struct qs_msg *m)
{
	struct qs_headers h;

	if (m->hdr->len == 0) {
		qs_msg_fail(m, QS_ERR_MALFORMED, "%s: no header block", m->path);
		return;
	}
	if (!m->hdr_complete) {
		qs_msg_fail(m, QS_ERR_MALFORMED, "%s: header block larger than %d bytes or cut",
			    m->path, QS_MAX_HEADER_BLOCK);
		return;
	}
	if (memchr(m->hdr->data, '\0', m->hdr->len)) {
		qs_msg_fail(m, QS_ERR_MALFORMED, "%s: NUL byte in the header block at offset %zu", m->path,
			    (size_t)((const guint8 *)memchr(m->hdr->data, '\0', m->hdr->len) - m->hdr->data));
		return;
	}
	qs_headers_init(&h);
	qs_hdr_parse(m->hdr->data, m->hdr->len, &h);
	if (h.list->len == 0)
		qs_msg_fail(m, QS_ERR_MALFORMED, "%s: no \"Name: value\" header field", m->path);
	qs_headers_free(&h);
}

int qs_eml_load(const char *path, struct qs_msg *m, bool envelope_headers)
{
	GError *err = NULL;
	struct stat st;
	const char *base = strrchr(path, '/');
	int fd, rc;

	m->format = "eml";
	qs_msg_set(&m->path, path, strlen(path));
	qs_msg_set(&m->id, base ? base + 1 : path, strlen(base ? base + 1 : path));
	qs_msg_add_file(m, path);
	m->rcpts_known = false;
	fd = qs_open_file(AT_FDCWD, path, &st, &err);
	if (fd < 0) {
		qs_msg_fail(m, QS_ERR_UNREADABLE, "%s", err->message);
		g_error_free(err);
		return -1;
	}
	m->size = st.st_size;
	m->mtime = st.st_mtime;
	rc = qs_read_rfc5322(fd, m->hdr, &m->hdr_complete, m->body, QS_MAX_BODY,
			     &m->body_complete, &err);
	close(fd);
	if (rc < 0) {
		qs_msg_fail(m, QS_ERR_UNREADABLE, "%s: %s", path, err->message);
		g_error_free(err);
		return -1;
	}
	if (envelope_headers)
		take_pseudo(m);
	if (m->sender && *m->sender) {
		g_byte_array_set_size(m->body, 0);
		m->body_complete = false;
	}
	check_form(m);
	return 0;
}
