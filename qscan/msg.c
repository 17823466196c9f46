/* msg.c - the message record; see msg.h. */
#include "config.h"
#include <stdarg.h>
#include <string.h>
#include "qs_limits.h"
#include "msg.h"
#include "hdr.h"
#include "util.h"

static void rcpt_free(gpointer p)
{
	struct qs_rcpt *r = p;

	if (r->addr != (char *)(r + 1))	/* else it lives in the same block */
		g_free(r->addr);
	g_free(r->orig);
	g_free(r);
}

void qs_msg_init(struct qs_msg *m)
{
	memset(m, 0, sizeof *m);
	m->files = g_ptr_array_new_with_free_func(g_free);
	m->rcpts = g_ptr_array_new_with_free_func(rcpt_free);
	m->notes = g_ptr_array_new_with_free_func(g_free);
	m->hdr = g_byte_array_new();
	m->body = g_byte_array_new();
	m->rcpts_known = true;
	m->arrival = m->size = m->mtime = -1;
}

struct qs_msg *qs_msg_new(void)
{
	struct qs_msg *m = g_new(struct qs_msg, 1);

	qs_msg_init(m);
	return m;
}

/* qs_msg_clear - drop per-message state but keep the buffers' memory */
void qs_msg_clear(struct qs_msg *m)
{
	GPtrArray *files = m->files, *rcpts = m->rcpts, *notes = m->notes;
	GByteArray *hdr = m->hdr, *body = m->body;
	struct qs_headers *fields = m->fields;

	g_free(m->queue);
	g_free(m->id);
	g_free(m->path);
	g_free(m->sender);
	g_free(m->client_ip);
	g_free(m->client_helo);
	g_free(m->client_name);
	g_free(m->auth_user);
	g_free(m->error);
	g_ptr_array_set_size(files, 0);
	g_ptr_array_set_size(rcpts, 0);
	g_ptr_array_set_size(notes, 0);
	g_byte_array_set_size(hdr, 0);
	g_byte_array_set_size(body, 0);
	memset(m, 0, sizeof *m);
	m->files = files;
	m->rcpts = rcpts;
	m->notes = notes;
	m->hdr = hdr;
	m->body = body;
	if (fields)
		qs_headers_clear(fields);
	m->fields = fields;
	m->rcpts_known = true;
	m->arrival = m->size = m->mtime = -1;
}

void qs_msg_free(struct qs_msg **mp)
{
	struct qs_msg *m = *mp;

	if (m == NULL)
		return;
	qs_msg_clear(m);
	g_ptr_array_free(m->files, TRUE);
	g_ptr_array_free(m->rcpts, TRUE);
	g_ptr_array_free(m->notes, TRUE);
	g_byte_array_free(m->hdr, TRUE);
	g_byte_array_free(m->body, TRUE);
	qs_msg_fields_free(m);
	g_free(m);
	*mp = NULL;
}

void qs_msg_add_file(struct qs_msg *m, const char *relpath)
{
	guint i;

	for (i = 0; i < m->files->len; i++)
		if (strcmp(g_ptr_array_index(m->files, i), relpath) == 0)
			return;
	g_ptr_array_add(m->files, g_strdup(relpath));
}

void qs_msg_set(char **field, const char *s, size_t len)
{
	char *copy;

	g_free(*field);
	if (s == NULL) {
		*field = NULL;
		return;
	}
	len = strnlen(s, len);	/* stops at an embedded NUL */
	copy = g_malloc(len + 1);
	qs_copy_sanitized(copy, s, len);
	*field = copy;
}

struct qs_rcpt *qs_msg_add_rcpt(struct qs_msg *m, const char *addr, size_t len, bool done)
{
	struct qs_rcpt *r;

	if (m->rcpts->len >= QS_MAX_RCPTS)
		return NULL;
	if (addr == NULL) {
		r = g_new0(struct qs_rcpt, 1);
	} else {
		/* the record and its address in one allocation (as qs_msg_set
		 * would copy it: up to an embedded NUL, control bytes '?') */
		len = strnlen(addr, MIN(len, (size_t)QS_MAX_ADDR));
		r = g_malloc0(sizeof *r + len + 1);
		r->addr = (char *)(r + 1);
		qs_copy_sanitized(r->addr, addr, len);
	}
	r->done = done;
	g_ptr_array_add(m->rcpts, r);
	return r;
}

/* note_plain - printf for a format whose only conversions are %s (with
 * non-NULL strings) and %llu, without printf and in one pass through a
 * stack buffer: readers add a note to many messages (qmail: one each);
 * NULL for any other format or a longer text, which then go to printf */
static char *note_plain(const char *fmt, va_list ap)
{
	char buf[1024], *w = buf, *end = buf + sizeof buf;
	const char *f = fmt, *pct, *s;
	size_t l;

	for (;;) {
		pct = strchr(f, '%');
		l = pct ? (size_t)(pct - f) : strlen(f);
		if ((size_t)(end - w) <= l)
			return NULL;
		memcpy(w, f, l);
		w += l;
		if (pct == NULL)
			break;
		if (pct[1] == 's') {
			if ((s = va_arg(ap, const char *)) == NULL)
				return NULL;
			f = pct + 2;
		} else if (strncmp(pct + 1, "llu", 3) == 0) {
			char num[24], *p = num + sizeof num;
			unsigned long long v = va_arg(ap, unsigned long long);
			do
				*--p = (char)('0' + v % 10);
			while ((v /= 10) > 0);
			s = p;
			l = (size_t)(num + sizeof num - p);
			if ((size_t)(end - w) <= l)
				return NULL;
			memcpy(w, s, l);
			w += l;
			f = pct + 4;
			continue;
		} else {
			return NULL;
		}
		l = strlen(s);
		if ((size_t)(end - w) <= l)
			return NULL;
		memcpy(w, s, l);
		w += l;
	}
	*w = '\0';
	return g_memdup2(buf, (gsize)(w - buf) + 1);
}

void qs_msg_note(struct qs_msg *m, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = note_plain(fmt, ap);
	va_end(ap);
	if (text == NULL) {
		va_start(ap, fmt);
		text = g_strdup_vprintf(fmt, ap);
		va_end(ap);
	}
	g_ptr_array_add(m->notes, text);
}

void qs_msg_fail(struct qs_msg *m, enum qs_error_kind kind, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (m->err != QS_ERR_NONE) {
		g_ptr_array_add(m->notes, text);
		return;
	}
	m->err = kind;
	m->error = text;
}

guint qs_msg_pending(const struct qs_msg *m)
{
	guint i, n = 0;

	for (i = 0; i < m->rcpts->len; i++)
		if (!((struct qs_rcpt *)g_ptr_array_index(m->rcpts, i))->done)
			n++;
	return n;
}
