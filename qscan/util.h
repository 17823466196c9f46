/*
 * util.h - safe file access, bounded reads, escaping, number parsing.
 *
 * Every queue file is opened through qs_open_file(): relative to an
 * already-open directory, O_NOFOLLOW, non-blocking (a FIFO never hangs
 * us), O_NOATIME where permitted, and it must be a regular file.
 * Functions returning int: 0 ok, -1 error with *err set (GError domain
 * QS_ERROR, code = errno or 0). Returned strings are g_free()d by the
 * caller.
 */
#ifndef QS_UTIL_H
#define QS_UTIL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#define QS_ERROR (qs_error_quark())
GQuark qs_error_quark(void);

/* open a regular file below dirfd without following links; st filled */
int qs_open_file(int dirfd, const char *rel, struct stat *st, GError **err);
/* open a directory below dirfd without following links */
int qs_open_dir(int dirfd, const char *rel, GError **err);
/* read at most cap bytes of a whole small file; error if larger */
int qs_read_file(int dirfd, const char *rel, size_t cap, GByteArray *out,
		 struct stat *st, GError **err);

/*
 * qs_read_rfc5322 - read a plain RFC 5322 message from fd: the header
 * block (up to the first empty line, LF/CRLF/CR all accepted, stored
 * with LF ends, at most QS_MAX_HEADER_BLOCK) into hdr, and when body is
 * not NULL up to body_cap bytes of the body. *hdr_complete says the
 * empty line (or EOF right after a header line) was seen.
 */
int qs_read_rfc5322(int fd, GByteArray *hdr, bool *hdr_complete,
		    GByteArray *body, size_t body_cap, bool *body_complete,
		    GError **err);
/* the same for a file, from its start whatever the fd's offset (pread,
 * no seek): pre holds its first pre_len bytes when they were read
 * already (not read again); size is the size fstat gave, or -1 */
int qs_read_rfc5322_at(int fd, const guint8 *pre, size_t pre_len, gint64 size,
		       GByteArray *hdr, bool *hdr_complete, GByteArray *body, size_t body_cap,
		       bool *body_complete, GError **err);
/* split an in-memory message the same way (for .eml, DSN parts) */
void qs_split_rfc5322(const guint8 *data, size_t len, GByteArray *hdr,
		      bool *hdr_complete, GByteArray *body);

/* the last n (< 16) bytes at p copied to tmp[16] and padded with the
 * plain byte 'a', so that a 16-byte SIMD step can take a string's tail
 * without reading past its end; returns tmp */
static inline const void *qs_pad16(void *tmp, const void *p, size_t n)
{
	memset(tmp, 'a', 16);
	memcpy(tmp, p, n);
	return tmp;
}

/* JSON string (quoted, escaped, invalid UTF-8 -> U+FFFD), or null */
void qs_json_str(GString *out, const char *s);
/* strcasestr with ASCII case folding only (no locale, no allocation) */
const char *qs_ascii_strcasestr(const char *hay, const char *needle);
/* g_string_append_len without the call when the buffer has room */
static inline void qs_gs_put(GString *out, const char *s, size_t n)
{
	if (out->len + n < out->allocated_len) {
		memcpy(out->str + out->len, s, n);
		out->len += n;
		out->str[out->len] = '\0';
	} else {
		g_string_append_len(out, s, (gssize)n);
	}
}
/* copy n bytes (no NUL check) from src to dst, control bytes (< 0x20,
 * 0x7f) replaced by '?', and a NUL after them: the loaders and the
 * Received parser copy every stored field through this, so it copies
 * with memcpy and looks byte by byte only at 8-byte blocks that hold a
 * control byte */
void qs_copy_sanitized(char *dst, const char *src, size_t n);
/* copy of s safe for a terminal: control bytes and bad UTF-8 escaped */
char *qs_printable(const char *s);

/* decimal unsigned in [min, max], whole string; false otherwise */
bool qs_parse_uint(const char *s, guint64 min, guint64 max, guint64 *out);
/* lower-case ASCII copy */
char *qs_ascii_lower(const char *s);
/* ISO 8601 UTC "2026-11-22T14:07:00Z" for a unix time, or NULL if < 0 */
char *qs_iso_time(gint64 t);
/* the same text written into out (no allocation: once per message of
 * a JSON report); false for t < 0 and from the year 10000 on, where
 * qs_iso_time() is to be asked */
#define QS_ISO_TIME_LEN 21
bool qs_iso_time_into(gint64 t, char out[QS_ISO_TIME_LEN]);

/* SIGTERM/SIGINT: stop walking and acting after the message in hand */
void qs_request_stop(void);
bool qs_stop_requested(void);

#endif
