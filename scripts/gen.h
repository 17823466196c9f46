/*
 * gen.h - qscan-gen: deterministic demo/benchmark outbox generator.
 *
 * One format-independent message model (struct gmsg + an LF-terminated
 * RFC 5322 content buffer that holds the client's headers and body) is
 * produced per message by gen-content.c; one writer per queue format
 * (gen-postfix.c, gen-qmail.c, gen-windows.c) turns it into the files
 * that MTA keeps on disk, byte for byte as its own writer would.
 *
 * Determinism: everything comes from one splitmix64 stream seeded by
 * --seed and from --start; nothing reads the clock, the host name, the
 * pid or the environment (except owner look-ups, which change owners,
 * not bytes).  Memory: one message at a time; buffers are reused.
 */
#ifndef QSCAN_GEN_H
#define QSCAN_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#define GEN_MAX_RCPT 8
#define GEN_ADDR 160
#define GEN_LOCAL_DOMAIN "demo.example"
#define GEN_MYHOST "mail.demo.example"
#define GEN_MYIP "192.0.2.25"

/* a growable byte buffer, reused from message to message */
struct buf {
	char *p;
	size_t len, cap;
};

void buf_reserve(struct buf *b, size_t more);
void buf_put(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, int c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* splitmix64: tiny, fast, and its output is fixed by its definition */
struct rng {
	uint64_t s;
};

uint64_t rng_next(struct rng *r);
unsigned long rng_below(struct rng *r, unsigned long n);	/* 0..n-1 */
long rng_range(struct rng *r, long lo, long hi);		/* lo..hi */
int rng_chance(struct rng *r, double p);
const char *rng_pick(struct rng *r, const char *const *list, size_t n);
#define PICK(r, a) rng_pick((r), (a), sizeof(a) / sizeof((a)[0]))

/* what a message is meant to be; the manifest's third column */
enum kind {
	K_OPEN_RELAY,		/* relay: unauthenticated botnet client, all external */
	K_AUTH_ABUSE,		/* relay: botnet client AUTHed as webmaster/MDaemon */
	K_LOCAL_RCPT,		/* legit: external sender to a local mailbox */
	K_AUTHENTICATED,	/* legit: a real user (alice...) sending out */
	K_LOCAL_SUBMISSION,	/* legit: sendmail/webmail on the server itself */
	K_BOUNCE,		/* legit: a DSN from elsewhere to a local user */
};

const char *kind_name(enum kind k);
const char *kind_verdict(enum kind k);

enum fmt { F_POSTFIX, F_QMAIL, F_MDAEMON, F_ICEWARP };

struct gmsg {
	unsigned long seq;	/* 0.. in arrival order */
	enum kind kind;
	time_t t;		/* arrival, seconds */
	unsigned usec;
	char sender[GEN_ADDR];	/* envelope sender, "" = <> */
	int nrcpt;
	char rcpt[GEN_MAX_RCPT][GEN_ADDR];
	int rcpt_local[GEN_MAX_RCPT];
	int local_submit;	/* no network client at all */
	unsigned uid;		/* submitting uid for local submissions */
	char ip[48];		/* client IP */
	char helo[128];
	char rdns[128];		/* "" = no reverse name (Postfix: unknown) */
	char auth[GEN_ADDR];	/* SMTP AUTH identity, "" = none */
	unsigned port;		/* client port */
	int tls;
	unsigned pid;		/* qmail-queue pid for the Received line */
	int big;		/* carries a 200 KB+ base64 attachment */
};

struct gen {
	enum fmt fmt;
	const char *out;	/* output root */
	unsigned long count;
	uint64_t seed;
	double legit_ratio;
	time_t start;
	FILE *manifest;		/* NULL = none */
	struct rng r;
	struct buf content;	/* client headers + body, LF line ends */
	struct buf file;	/* the file being built */
	struct buf aux;		/* a second file (defer log, info, .rte) */
	unsigned long forced[8];	/* positions of guaranteed legit kinds */
	int nforced;
	unsigned forced_used;	/* bit i: forced[i] has been placed */
	time_t clock;		/* running arrival clock */
	unsigned long files;	/* files written */
	unsigned long long bytes;
	void *fmt_state;	/* per-format counters */
};

/* gen-content.c */
void gen_setup(struct gen *g);
void gen_message(struct gen *g, struct gmsg *m);
void gen_fill(struct gen *g, struct gmsg *m, unsigned long seq);
void gen_content(struct gen *g, struct gmsg *m);

/* gen-util.c: dates and files */
void fmt_date_rfc(char *out, size_t n, time_t t, int tzmin, int comment_utc);
void fmt_date_qmail(char *out, size_t n, time_t t);
void fmt_stamp14(char *out, size_t n, time_t t, int tzmin);
void owner_lookup(const char *user, uid_t *uid, gid_t *gid);
void gen_mkdir(const char *path, mode_t mode, uid_t uid, gid_t gid);
void gen_mkdirf(mode_t mode, uid_t uid, gid_t gid, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void gen_write(struct gen *g, const char *path, const struct buf *b, mode_t mode,
	       uid_t uid, gid_t gid, time_t mtime);
void gen_manifest(struct gen *g, const char *id, const struct gmsg *m);
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* writers: setup makes the directory layout, write emits one message */
void postfix_setup(struct gen *g);
void postfix_write(struct gen *g, struct gmsg *m);
void qmail_setup(struct gen *g);
void qmail_write(struct gen *g, struct gmsg *m);
void mdaemon_setup(struct gen *g);
void mdaemon_write(struct gen *g, struct gmsg *m);
void mdaemon_finish(struct gen *g);
void icewarp_setup(struct gen *g);
void icewarp_write(struct gen *g, struct gmsg *m);

#endif
