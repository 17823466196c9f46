/*
 * qscan-gen - write a deterministic demo/benchmark outbox.
 *
 *   qscan-gen --format postfix|qmail|mdaemon|icewarp --count N --seed S
 *             --out DIR [--legit-ratio R] [--start EPOCH] [--manifest FILE]
 *
 * DIR is the queue root that qscan is pointed at: the Postfix queue
 * directory, the qmail queue/ directory, the MDaemon installation
 * directory (queues in DIR/Queues), or the IceWarp mail root (queue in
 * DIR/_outgoing).  DIR must not exist or be empty.  Same arguments give
 * byte-identical files, names, modes and mtimes (owners follow the MTA
 * users present on the machine).  --manifest writes one line per queue
 * message: "<id>\t<relay|legit>\t<kind>", kind one of open-relay,
 * auth-abuse, local-recipient, authenticated, local-submission, bounce.
 * <id> is what qscan --json calls "id": the Postfix queue ID, the qmail
 * message number, the MDaemon file name (md50....msg), the IceWarp queue
 * id (file name without ".tmp").  The verdict column is the truth the
 * generator intended; where the on-disk format cannot carry the evidence
 * (IceWarp records no AUTH user name, so an auth-abuse message looks like
 * any authenticated one) a POLICY.md-following scanner may rightly differ.
 */
#include "gen.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_START 1793491200L	/* 2026-11-01 00:00:00 UTC */

static void
usage(void)
{
	fputs("usage: qscan-gen --format postfix|qmail|mdaemon|icewarp --count N --seed S\n"
	      "                 --out DIR [--legit-ratio R] [--start EPOCH] [--manifest FILE]\n",
	      stderr);
	exit(2);
}

static unsigned long long
num(const char *opt, const char *s, unsigned long long max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v > max || *s == '-')
		die("%s: '%s' is not a number between 0 and %llu", opt, s, max);
	return v;
}

/* prepare_out - mkdir -p the parent; refuse to write into a used DIR */
static void
prepare_out(const char *out)
{
	char tmp[4096];
	DIR *d;

	snprintf(tmp, sizeof(tmp), "%s", out);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
				die("mkdir %s: %s", tmp, strerror(errno));
			*p = '/';
		}
	if ((d = opendir(out)) != NULL) {
		struct dirent *e;

		while ((e = readdir(d)) != NULL)
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				die("%s exists and is not empty; remove it first", out);
		closedir(d);
	}
}

static void
parse(struct gen *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", 1, NULL, 'f' }, { "count", 1, NULL, 'n' },
		{ "seed", 1, NULL, 's' }, { "out", 1, NULL, 'o' },
		{ "legit-ratio", 1, NULL, 'r' }, { "start", 1, NULL, 't' },
		{ "manifest", 1, NULL, 'm' }, { "help", 0, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *format = NULL, *manifest = NULL;
	int c, have_count = 0;
	char *end;

	g->legit_ratio = 0.001;
	g->start = DEFAULT_START;
	while ((c = getopt_long(argc, argv, "f:n:s:o:r:t:m:h", opts, NULL)) != -1)
		switch (c) {
		case 'f': format = optarg; break;
		case 'n': g->count = (unsigned long) num("--count", optarg, 100000000); have_count = 1; break;
		case 's': g->seed = num("--seed", optarg, ~0ULL); break;
		case 'o': g->out = optarg; break;
		case 'r':
			g->legit_ratio = strtod(optarg, &end);
			if (*end || end == optarg || !(g->legit_ratio >= 0 && g->legit_ratio <= 1))
				die("--legit-ratio: '%s' is not a number between 0 and 1", optarg);
			break;
		case 't': g->start = (time_t) num("--start", optarg, 4000000000ULL); break;
		case 'm': manifest = optarg; break;
		default: usage();
		}
	if (optind != argc || format == NULL || g->out == NULL || !have_count)
		usage();
	if (strcmp(format, "postfix") == 0)
		g->fmt = F_POSTFIX;
	else if (strcmp(format, "qmail") == 0)
		g->fmt = F_QMAIL;
	else if (strcmp(format, "mdaemon") == 0)
		g->fmt = F_MDAEMON;
	else if (strcmp(format, "icewarp") == 0 || strcmp(format, "merak") == 0)
		g->fmt = F_ICEWARP;
	else
		die("--format: unknown format '%s' (postfix, qmail, mdaemon, icewarp)", format);
	if (manifest != NULL && (g->manifest = fopen(manifest, "w")) == NULL)
		die("cannot write manifest %s: %s", manifest, strerror(errno));
}

int
main(int argc, char **argv)
{
	static struct gen gen;
	struct gen *g = &gen;
	struct gmsg m;
	unsigned long done = 0;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	parse(g, argc, argv);
	umask(0);
	prepare_out(g->out);
	gen_setup(g);
	switch (g->fmt) {
	case F_POSTFIX: postfix_setup(g); break;
	case F_QMAIL: qmail_setup(g); break;
	case F_MDAEMON: mdaemon_setup(g); break;
	case F_ICEWARP: icewarp_setup(g); break;
	}
	while (done < g->count) {
		gen_message(g, &m);
		gen_fill(g, &m, done);
		if (g->fmt == F_MDAEMON && (unsigned long) m.nrcpt > g->count - done)
			m.nrcpt = (int) (g->count - done);
		gen_content(g, &m);
		switch (g->fmt) {
		case F_POSTFIX: postfix_write(g, &m); break;
		case F_QMAIL: qmail_write(g, &m); break;
		case F_MDAEMON: mdaemon_write(g, &m); break;
		case F_ICEWARP: icewarp_write(g, &m); break;
		}
		done += g->fmt == F_MDAEMON ? (unsigned long) m.nrcpt : 1;
	}
	if (g->fmt == F_MDAEMON)
		mdaemon_finish(g);
	if (g->manifest != NULL && fclose(g->manifest) != 0)
		die("writing the manifest failed: %s", strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "qscan-gen: %lu messages, %lu files, %llu bytes in %s (%.2f s)\n",
		done, g->files, g->bytes, g->out,
		(double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
