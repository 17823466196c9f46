/*
 * gen-util.c - qscan-gen helpers: buffer, PRNG, dates, owners, files.
 */
#include "gen.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* die - report what failed and stop: the generator has no partial mode */
void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("qscan-gen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void
buf_reserve(struct buf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 16384;
	while (cap < b->len + more + 1)
		cap *= 2;
	b->p = realloc(b->p, cap);
	if (b->p == NULL)
		die("out of memory (%zu bytes)", cap);
	b->cap = cap;
}

void
buf_put(struct buf *b, const void *data, size_t len)
{
	buf_reserve(b, len);
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

void
buf_putc(struct buf *b, int c)
{
	buf_reserve(b, 1);
	b->p[b->len++] = (char) c;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	buf_reserve(b, 256);
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("vsnprintf failed");
	if ((size_t) n >= b->cap - b->len) {
		buf_reserve(b, (size_t) n + 1);
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t) n;
}

/* rng_next - splitmix64 (Steele, Lea, Flood 2014) */
uint64_t
rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

unsigned long
rng_below(struct rng *r, unsigned long n)
{
	return n ? (unsigned long) (rng_next(r) % n) : 0;
}

long
rng_range(struct rng *r, long lo, long hi)
{
	return lo + (long) rng_below(r, (unsigned long) (hi - lo + 1));
}

int
rng_chance(struct rng *r, double p)
{
	return (double) (rng_next(r) >> 11) * (1.0 / 9007199254740992.0) < p;
}

const char *
rng_pick(struct rng *r, const char *const *list, size_t n)
{
	return list[rng_below(r, n)];
}

static const char *const wday[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/*
 * fmt_date_rfc - "Mon, 2 Nov 2026 14:07:16 +0100" for a fixed offset;
 * written by hand so that no locale or TZ setting can change a byte.
 */
void
fmt_date_rfc(char *out, size_t n, time_t t, int tzmin, int comment_utc)
{
	struct tm tm;
	time_t lt = t + (time_t) tzmin * 60;
	int a = tzmin < 0 ? -tzmin : tzmin;

	gmtime_r(&lt, &tm);
	snprintf(out, n, "%s, %d %s %d %02d:%02d:%02d %c%02d%02d%s",
		 wday[tm.tm_wday], tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, tzmin < 0 ? '-' : '+', a / 60, a % 60,
		 comment_utc ? " (UTC)" : "");
}

/* fmt_date_qmail - date822fmt: "22 Nov 2026 14:15:11 -0000", always UTC */
void
fmt_date_qmail(char *out, size_t n, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, n, "%d %s %d %02d:%02d:%02d -0000", tm.tm_mday, mon[tm.tm_mon],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* fmt_stamp14 - local "YYYYMMDDhhmmss" as in IceWarp 11+ queue ids */
void
fmt_stamp14(char *out, size_t n, time_t t, int tzmin)
{
	struct tm tm;
	time_t lt = t + (time_t) tzmin * 60;

	gmtime_r(&lt, &tm);
	snprintf(out, n, "%04d%02d%02d%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* owner_lookup - uid/gid of an MTA user, or root when it does not exist */
void
owner_lookup(const char *user, uid_t *uid, gid_t *gid)
{
	struct passwd *pw = getpwnam(user);

	*uid = pw ? pw->pw_uid : 0;
	*gid = pw ? pw->pw_gid : 0;
}

static void
chown_if(const char *path, int fd, uid_t uid, gid_t gid)
{
	if (uid == geteuid() && gid == getegid())
		return;
	if ((fd >= 0 ? fchown(fd, uid, gid) : lchown(path, uid, gid)) < 0 && geteuid() == 0)
		die("chown %s to %lu:%lu: %s", path, (unsigned long) uid,
		    (unsigned long) gid, strerror(errno));
}

/* gen_mkdir - mkdir with an exact mode (umask is 0) and owner */
void
gen_mkdir(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		die("mkdir %s: %s", path, strerror(errno));
	if (chmod(path, mode) < 0)
		die("chmod %s: %s", path, strerror(errno));
	chown_if(path, -1, uid, gid);
}

void
gen_mkdirf(mode_t mode, uid_t uid, gid_t gid, const char *fmt, ...)
{
	char path[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	gen_mkdir(path, mode, uid, gid);
}

/*
 * gen_write - create PATH (must not exist) with one write(2) of B, then
 * owner and mtime.  Mode is exact because main() sets umask 0.
 */
void
gen_write(struct gen *g, const char *path, const struct buf *b, mode_t mode,
	  uid_t uid, gid_t gid, time_t mtime)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	struct timespec ts[2];

	if (fd < 0)
		die("create %s: %s", path, strerror(errno));
	if (b->len > 0) {
		ssize_t n = write(fd, b->p, b->len);

		if (n < 0 || (size_t) n != b->len)
			die("write %s: %s", path, n < 0 ? strerror(errno) : "short write");
	}
	chown_if(path, fd, uid, gid);
	ts[0].tv_sec = ts[1].tv_sec = mtime;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	if (futimens(fd, ts) < 0)
		die("futimens %s: %s", path, strerror(errno));
	if (close(fd) < 0)
		die("close %s: %s", path, strerror(errno));
	g->files++;
	g->bytes += b->len;
}

/* gen_manifest - "id<TAB>verdict<TAB>kind" */
void
gen_manifest(struct gen *g, const char *id, const struct gmsg *m)
{
	if (g->manifest != NULL)
		fprintf(g->manifest, "%s\t%s\t%s\n", id, kind_verdict(m->kind), kind_name(m->kind));
}
