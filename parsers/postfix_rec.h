/*
 * postfix_rec.h - Postfix queue-file record reader (private to the
 * postfix parser).
 *
 * A queue file is a sequence of records: one type byte, a 1..4-byte
 * little-endian base-128 length, then that many data bytes
 * (shared/formats/postfix-qmail.md §1.4). pf_rec_next() returns the
 * next *logical* record the way Postfix's rec_get() does: it follows
 * `p` pointer records (offset 0 is a placeholder), drops `w` padding
 * and never reads sequentially past a pointer. Every length is capped
 * (QS_MAX_RECORD), jumps are counted (QS_MAX_PTR_JUMPS) and every
 * offset is checked against the file size, so a hostile file can only
 * produce an error, never an overrun or a hang.
 *
 * Data is read with pread() through a window buffer that belongs to
 * the calling thread and is reused for every file, so reading a record
 * allocates nothing. rec->data points into that window and is valid
 * until the next pf_rec_* call.
 */
#ifndef QS_POSTFIX_REC_H
#define QS_POSTFIX_REC_H

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>
#include "qs_limits.h"

struct pf_reader {
	int fd;
	off_t size;		/* file size at open */
	off_t pos;		/* offset of the next physical record */
	unsigned jumps;		/* pointer records followed */
	guint8 *win;		/* thread's window buffer */
	size_t win_cap;
	off_t win_off;		/* file offset of win[0] */
	size_t win_len;		/* valid bytes in win */
	GString *error;		/* set on failure: "offset N: what" */
	bool io_error;		/* the failure was a read error, not bad data */
};

struct pf_rec {
	int type;		/* record type byte */
	off_t off;		/* file offset of the record */
	const guint8 *data;	/* not NUL-terminated */
	size_t len;
};

/* set up r for fd; uses the calling thread's window buffer */
void pf_reader_init(struct pf_reader *r, int fd, off_t size);
void pf_reader_done(struct pf_reader *r);
/* every record type Postfix defines: 1, others 0 (postfix_rec.c) */
extern const guint8 pf_known_types[256];

/*
 * pf_rec_fast - the physical record at r->pos in the common case: its
 * header and data already are in the window and every check of
 * read_physical() in postfix_rec.c passes (same checks, same results);
 * false sends the caller to the full reader. With only_plain, 'w' and
 * 'p' records (which pf_rec_next() follows or drops) are left to it
 * too. Inline: this runs ~45 times per message.
 */
static inline bool pf_rec_fast(struct pf_reader *r, struct pf_rec *rec, bool only_plain)
{
	const off_t off = r->pos, win_end = r->win_off + (off_t)r->win_len;
	const guint8 *p;
	size_t len = 0, hdr;
	int i;

	if (off < r->win_off || off + 5 > win_end || off + 5 > r->size)
		return false;
	p = r->win + (off - r->win_off);
	if (!pf_known_types[p[0]] || (only_plain && (p[0] == 'w' || p[0] == 'p')))
		return false;
	for (i = 0; i < 4; i++) {
		len |= (size_t)(p[1 + i] & 0x7f) << (7 * i);
		if ((p[1 + i] & 0x80) == 0)
			break;
	}
	if (i == 4)
		return false;
	hdr = (size_t)i + 2;
	if (len > QS_MAX_RECORD || (off_t)(hdr + len) > r->size - off ||
	    off + (off_t)(hdr + len) > win_end)
		return false;
	rec->type = p[0];
	rec->off = off;
	rec->data = p + hdr;
	rec->len = len;
	r->pos = off + (off_t)(hdr + len);
	return true;
}

int pf_rec_next_slow(struct pf_reader *r, struct pf_rec *rec);

/* 1 = record, -1 = error (r->error says what and where; EOF is an error:
 * a valid file ends with an E record) */
static inline int pf_rec_next(struct pf_reader *r, struct pf_rec *rec)
{
	return pf_rec_fast(r, rec, true) ? 1 : pf_rec_next_slow(r, rec);
}
/* read the physical record at off without following it (for the
 * C-record shortcut to X); 1 ok, 0 not a sane record there */
int pf_rec_peek(struct pf_reader *r, off_t off, struct pf_rec *rec);

#endif
