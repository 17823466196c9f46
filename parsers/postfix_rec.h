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
/* 1 = record, -1 = error (r->error says what and where; EOF is an error:
 * a valid file ends with an E record) */
int pf_rec_next(struct pf_reader *r, struct pf_rec *rec);
/* read the physical record at off without following it (for the
 * C-record shortcut to X); 1 ok, 0 not a sane record there */
int pf_rec_peek(struct pf_reader *r, off_t off, struct pf_rec *rec);

#endif
