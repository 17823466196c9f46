/* dsn.c - find the original inside a bounce; see dsn.h. */
#include "config.h"
#include <string.h>
#include "dsn.h"
#include "qs_limits.h"
#include "util.h"

/* parts in a bounce body handed to GMime; more go the raw way */
#define QS_DSN_MAX_PARTS (8 * QS_MAX_MIME_DEPTH)

void qs_dsn_init(struct qs_dsn *d)
{
	memset(d, 0, sizeof *d);
	d->hdr = g_byte_array_new();
	d->rcpts = g_ptr_array_new_with_free_func(g_free);
}

void qs_dsn_clear(struct qs_dsn *d)
{
	g_byte_array_set_size(d->hdr, 0);
	g_ptr_array_set_size(d->rcpts, 0);
	g_free(d->reporting_mta);
	d->reporting_mta = NULL;
	g_free(d->orig_sender);
	d->orig_sender = NULL;
	d->found = d->incomplete = false;
	d->kind = NULL;
	d->depth_hits = 0;
}

/* find_ci - case-insensitive search for s in [p, p+n), offset or -1 */
static gssize find_ci(const guint8 *p, size_t n, const char *s)
{
	size_t k = strlen(s), i;

	for (i = 0; k <= n && i <= n - k; i++)
		if (g_ascii_strncasecmp((const char *)p + i, s, k) == 0)
			return (gssize)i;
	return -1;
}

/* blank_after - offset just past the next empty line at or after pos, or -1 */
static gssize blank_after(const guint8 *p, size_t n, size_t pos)
{
	size_t i;

	for (i = pos; i + 1 < n; i++) {
		if (p[i] != '\n')
			continue;
		if (p[i + 1] == '\n')
			return (gssize)(i + 2);
		if (p[i + 1] == '\r' && i + 2 < n && p[i + 2] == '\n')
			return (gssize)(i + 3);
	}
	return -1;
}

static const char *const text_markers[] = {
	"--- Below this line is a copy of the message.",	/* qmail-send */
	"--- Below this line is the top of the message.",
	"------ This is a copy of the message, including all the headers.",	/* Exim */
	"------ This is a copy of the message's headers.",
	"----- Original message follows -----",
	NULL,
};

/* cut_inside - body cut: did the embedded header block end before the cut?
 * marker: where the carried part's label starts; mime: a part header
 * block (ending in an empty line) sits between label and original */
static bool cut_inside(const struct qs_msg *m, const char *label, bool mime)
{
	const guint8 *p = m->body->data;
	size_t n = m->body->len;
	gssize at = find_ci(p, n, label), start;

	if (at < 0)
		return true;
	if (mime) {
		start = blank_after(p, n, (size_t)at);
	} else {
		const guint8 *nl = memchr(p + at, '\n', n - (size_t)at);
		start = nl ? nl - p + 1 : -1;
		while (start >= 0 && (size_t)start < n && (p[start] == '\n' || p[start] == '\r'))
			start++;
	}
	return start < 0 || (size_t)start >= n || blank_after(p, n, (size_t)start) < 0;
}

static GByteArray *content_bytes(GMimePart *part)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GMimeStream *s;
	GByteArray *out;

	if (w == NULL)
		return NULL;
	s = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(w, s);
	out = g_byte_array_new();
	g_byte_array_append(out, g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s))->data,
			    g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s))->len);
	g_object_unref(s);
	return out;
}

static char *status_value(const char *line)
{
	const char *v = strchr(line, ':'), *semi;
	char *out;

	if (v == NULL)
		return NULL;
	v++;
	semi = strchr(v, ';');
	if (semi)
		v = semi + 1;
	out = g_strstrip(g_strdup(v));
	if (out[0] == '<' && out[strlen(out) - 1] == '>') {
		memmove(out, out + 1, strlen(out));
		out[strlen(out) - 1] = '\0';
	}
	if (*out == '\0') {
		g_free(out);
		return NULL;
	}
	return out;
}

/* parse_status - message/delivery-status: Reporting-MTA and recipients */
static void parse_status(struct qs_dsn *d, const GByteArray *text)
{
	char *s, **lines;
	GPtrArray *orig;
	int i;

	if (text->len == 0 || text->data == NULL)
		return;	/* an empty part: GMime may hand us no buffer at all */
	s = g_strndup((const char *)text->data, text->len);
	lines = g_strsplit(s, "\n", -1);
	orig = g_ptr_array_new_with_free_func(g_free);

	for (i = 0; lines[i] && d->rcpts->len < QS_MAX_RCPTS; i++) {
		char *l = g_strchomp(lines[i]);
		if (g_ascii_strncasecmp(l, "Final-Recipient:", 16) == 0) {
			char *v = status_value(l);
			if (v)
				g_ptr_array_add(d->rcpts, v);
		} else if (g_ascii_strncasecmp(l, "Original-Recipient:", 19) == 0) {
			char *v = status_value(l);
			if (v)
				g_ptr_array_add(orig, v);
		} else if (g_ascii_strncasecmp(l, "Reporting-MTA:", 14) == 0 && !d->reporting_mta) {
			d->reporting_mta = status_value(l);
		} else if (g_ascii_strncasecmp(l, "X-Postfix-Sender:", 17) == 0 && !d->orig_sender) {
			d->orig_sender = status_value(l);
		}
	}
	if (d->rcpts->len == 0)
		for (i = 0; i < (int)orig->len; i++)
			g_ptr_array_add(d->rcpts, g_strdup(g_ptr_array_index(orig, i)));
	g_ptr_array_free(orig, TRUE);
	g_strfreev(lines);
	g_free(s);
}

static void take_message(struct qs_dsn *d, GMimeMessage *inner)
{
	GMimeStream *s = g_mime_stream_mem_new();
	GByteArray *ba;
	bool complete;

	g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, s);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s));
	qs_split_rfc5322(ba->data, ba->len, d->hdr, &complete, NULL);
	g_object_unref(s);
	d->found = d->hdr->len > 0;
	d->kind = "message/rfc822";
}

static void walk(struct qs_dsn *d, GMimeObject *o, int depth)
{
	GMimeContentType *ct;

	if (o == NULL)
		return;
	if (depth > QS_MAX_MIME_DEPTH) {
		d->depth_hits++;
		return;
	}
	if (GMIME_IS_MULTIPART(o)) {
		int i, n = g_mime_multipart_get_count(GMIME_MULTIPART(o));
		for (i = 0; i < n; i++)
			walk(d, g_mime_multipart_get_part(GMIME_MULTIPART(o), i), depth + 1);
		return;
	}
	if (GMIME_IS_MESSAGE_PART(o)) {
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
		if (!d->found && inner)
			take_message(d, inner);
		return;
	}
	if (!GMIME_IS_PART(o))
		return;
	ct = g_mime_object_get_content_type(o);
	if (g_mime_content_type_is_type(ct, "message", "global") && !d->found) {
		/* RFC 6532 original that GMime left as a leaf */
		GByteArray *b = content_bytes(GMIME_PART(o));
		bool complete;
		if (b == NULL)
			return;
		qs_split_rfc5322(b->data, b->len, d->hdr, &complete, NULL);
		g_byte_array_free(b, TRUE);
		d->found = d->hdr->len > 0;
		d->kind = "message/global";
	} else if (g_mime_content_type_is_type(ct, "text", "rfc822-headers") ||
		   g_mime_content_type_is_type(ct, "message", "global-headers")) {
		GByteArray *b;
		bool complete;
		if (d->found || (b = content_bytes(GMIME_PART(o))) == NULL)
			return;
		qs_split_rfc5322(b->data, b->len, d->hdr, &complete, NULL);
		g_byte_array_free(b, TRUE);
		d->found = d->hdr->len > 0;
		d->kind = "text/rfc822-headers";
	} else if (g_mime_content_type_is_type(ct, "message", "delivery-status") ||
		   g_mime_content_type_is_type(ct, "message", "global-delivery-status")) {
		GByteArray *b = content_bytes(GMIME_PART(o));
		if (b) {
			parse_status(d, b);
			g_byte_array_free(b, TRUE);
		}
	}
}

/* text_bounce - qmail-send and other plain-text bounces */
static void text_bounce(struct qs_dsn *d, const struct qs_msg *m)
{
	const guint8 *p = m->body->data;
	size_t n = m->body->len;
	gssize at = -1, start;
	int i;
	bool complete;

	for (i = 0; text_markers[i] && at < 0; i++)
		at = find_ci(p, n, text_markers[i]);
	if (at < 0)
		return;
	i--;
	{	/* recipients "<addr>:" and the reporting host, before the marker */
		char *text = g_strndup((const char *)p, (gsize)at), **lines = g_strsplit(text, "\n", -1), *h;
		int k;
		for (k = 0; lines[k] && d->rcpts->len < QS_MAX_RCPTS; k++) {
			char *l = g_strchomp(lines[k]);
			size_t len = strlen(l);
			if (len > 3 && l[0] == '<' && g_str_has_suffix(l, ">:"))
				g_ptr_array_add(d->rcpts, g_strndup(l + 1, len - 3));
		}
		if (!d->reporting_mta && (h = strstr(text, "qmail-send program at ")) != NULL) {
			char *e;
			h += strlen("qmail-send program at ");
			for (e = h; *e && *e != ' ' && *e != '\n'; e++)
				;
			d->reporting_mta = g_strndup(h, (gsize)(e - h));
			if (g_str_has_suffix(d->reporting_mta, "."))
				d->reporting_mta[strlen(d->reporting_mta) - 1] = '\0';
		}
		g_strfreev(lines);
		g_free(text);
	}
	{
		const guint8 *nl = memchr(p + at, '\n', n - (size_t)at);
		if (nl == NULL)
			return;
		start = nl - p + 1;
		while ((size_t)start < n && (p[start] == '\n' || p[start] == '\r' ||
					     p[start] == ' ' || p[start] == '\t'))
			start++;
	}
	qs_split_rfc5322(p + start, n - (size_t)start, d->hdr, &complete, NULL);
	d->found = d->hdr->len > 0;
	d->kind = "qmail";
	if (!m->body_complete)
		d->incomplete = cut_inside(m, text_markers[i], false);
}

/* count_ci - occurrences of s in the body, stopping at max */
static guint count_ci(const GByteArray *b, const char *s, guint max)
{
	gssize at;
	size_t pos = 0;
	guint n = 0;

	while (n < max && pos < b->len && (at = find_ci(b->data + pos, b->len - pos, s)) >= 0) {
		n++;
		pos += (size_t)at + 1;
	}
	return n;
}

/*
 * raw_extract - without GMime: the first carried-original label, its
 * part header, then the original's header block; Final-Recipient lines.
 * Used when the body nests more multiparts than we walk: GMime's parser
 * recurses once per level, and a crafted body could exhaust a worker
 * thread's stack.
 */
static void raw_extract(struct qs_dsn *d, const struct qs_msg *m)
{
	static const char *const labels[] = { "message/rfc822", "text/rfc822-headers", NULL };
	const guint8 *p = m->body->data;
	size_t n = m->body->len;
	gssize at = -1, start;
	bool complete;
	int i;

	for (i = 0; labels[i] && at < 0; i++)
		at = find_ci(p, n, labels[i]);
	if (at < 0)
		return;
	i--;
	start = blank_after(p, n, (size_t)at);
	if (start < 0)
		return;
	qs_split_rfc5322(p + start, n - (size_t)start, d->hdr, &complete, NULL);
	d->found = d->hdr->len > 0;
	d->kind = labels[i];
	d->incomplete = !complete || (!m->body_complete && cut_inside(m, labels[i], true));
	{
		char *text = g_strndup((const char *)p, (gsize)at);
		GByteArray fake = { (guint8 *)text, (guint)strlen(text) };
		parse_status(d, &fake);
		g_free(text);
	}
}

int qs_dsn_extract(GMimeParser *parser, const struct qs_msg *m, struct qs_dsn *d)
{
	GByteArray *buf;
	GMimeStream *stream;
	GMimeMessage *msg;

	qs_dsn_clear(d);
	/* every nested part (multipart or message) has a Content-Type */
	if (count_ci(m->body, "content-type:", QS_DSN_MAX_PARTS + 1) > QS_DSN_MAX_PARTS) {
		d->depth_hits++;
		raw_extract(d, m);
		return 0;
	}
	buf = g_byte_array_sized_new(m->hdr->len + m->body->len + 1);
	g_byte_array_append(buf, m->hdr->data, m->hdr->len);
	g_byte_array_append(buf, (const guint8 *)"\n", 1);
	g_byte_array_append(buf, m->body->data, m->body->len);
	stream = g_mime_stream_mem_new_with_buffer((const char *)buf->data, buf->len);
	g_byte_array_free(buf, TRUE);
	g_mime_parser_init_with_stream(parser, stream);
	g_object_unref(stream);
	msg = g_mime_parser_construct_message(parser, NULL);
	if (msg) {
		walk(d, g_mime_message_get_mime_part(msg), 1);
		g_object_unref(msg);
	}
	if (d->found && !m->body_complete && d->kind && strcmp(d->kind, "qmail") != 0)
		d->incomplete = cut_inside(m, d->kind, true);
	if (!d->found)
		text_bounce(d, m);
	/* drop the parser's reference to our bytes */
	stream = g_mime_stream_mem_new();
	g_mime_parser_init_with_stream(parser, stream);
	g_object_unref(stream);
	return msg ? 0 : -1;
}
