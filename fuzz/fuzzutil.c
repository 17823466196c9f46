/*
 * fuzzutil.c - what every fuzz target shares: scratch directories,
 * multi-file inputs, the walk+load loop and the contract checks.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fuzz.h"
#include "conf.h"
#include "hdr.h"
#include "log.h"
#include "msg.h"
#include "plainmsg.h"
#include "qs_limits.h"

void qf_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "qscan fuzz: %s:%d: contract broken: %s\n", file, line, what);
	abort();
}

void qf_common_init(void)
{
	static gsize done;

	if (g_once_init_enter(&done)) {
		qs_verbosity = -1;	/* bad input warns on every run otherwise */
		qs_young_seconds = 0;	/* fuzz files are always brand new */
		qs_hdr_global_init();
		g_once_init_leave(&done, 1);
	}
}

char *qf_cstr(const uint8_t *d, size_t n)
{
	char *s = g_malloc(n + 1);

	if (n)
		memcpy(s, d, n);
	s[n] = '\0';
	return s;
}

size_t qf_split(const uint8_t *d, size_t n, struct qf_part *parts, size_t max)
{
	size_t k = 0;
	const uint8_t *end = d + n;

	while (k < max) {
		const uint8_t *s = memmem(d, (size_t)(end - d), QF_SEP, QF_SEP_LEN);

		parts[k].data = d;
		parts[k].len = s ? (size_t)(s - d) : (size_t)(end - d);
		k++;
		if (!s)
			break;
		d = s + QF_SEP_LEN;
	}
	return k;
}

static GPtrArray *scratch_dirs;

static void scratch_cleanup(void)
{
	for (guint i = 0; scratch_dirs && i < scratch_dirs->len; i++) {
		char *cmd = g_strdup_printf("rm -rf '%s'", (char *)g_ptr_array_index(scratch_dirs, i));
		if (system(cmd) != 0)
			fprintf(stderr, "qscan fuzz: could not remove %s\n",
				(char *)g_ptr_array_index(scratch_dirs, i));
		g_free(cmd);
	}
}

char *qf_scratch(const char *tag, int *fd)
{
	GError *err = NULL;
	char *tmpl = g_strdup_printf("qsfuzz-%s-XXXXXX", tag);
	char *dir = g_dir_make_tmp(tmpl, &err);

	g_free(tmpl);
	if (!dir) {
		fprintf(stderr, "qscan fuzz: scratch directory: %s\n", err->message);
		abort();
	}
	if (!scratch_dirs) {
		scratch_dirs = g_ptr_array_new();
		atexit(scratch_cleanup);
	}
	g_ptr_array_add(scratch_dirs, dir);
	if (fd) {
		*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (*fd < 0) {
			perror(dir);
			abort();
		}
	}
	return dir;
}

void qf_put(int dirfd, const char *rel, const struct qf_part *p)
{
	int fd;
	const uint8_t *d;
	size_t left;
	char *slash;

	if (!p) {
		if (unlinkat(dirfd, rel, 0) < 0 && errno != ENOENT) {
			perror(rel);
			abort();
		}
		return;
	}
	fd = openat(dirfd, rel, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 && errno == ENOENT && (slash = strrchr(rel, '/'))) {
		char *parent = g_strndup(rel, (gsize)(slash - rel));
		for (char *s = parent; (s = strchr(s + 1, '/')) || 1;) {
			if (s)
				*s = '\0';
			if (mkdirat(dirfd, parent, 0755) < 0 && errno != EEXIST) {
				perror(parent);
				abort();
			}
			if (!s)
				break;
			*s = '/';
		}
		g_free(parent);
		fd = openat(dirfd, rel, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	}
	if (fd < 0) {
		perror(rel);
		abort();
	}
	for (d = p->data, left = p->len; left > 0;) {
		ssize_t w = write(fd, d, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			perror(rel);
			abort();
		}
		d += w;
		left -= (size_t)w;
	}
	close(fd);
}

void qf_check_msg(const struct qs_msg *m, int rc)
{
	QF_CHECK(rc == 0 || rc == -1 || rc == QS_LOAD_SKIP, "load returns 0, -1 or QS_LOAD_SKIP");
	if (rc < 0) {
		QF_CHECK(m->err != QS_ERR_NONE, "failed load sets m->err");
		QF_CHECK(m->error != NULL, "failed load sets m->error");
	}
	if (m->err != QS_ERR_NONE)
		QF_CHECK(m->error != NULL, "an error kind comes with a message");
	QF_CHECK(m->rcpts == NULL || m->rcpts->len <= QS_MAX_RCPTS, "recipients capped");
	for (guint i = 0; m->rcpts && i < m->rcpts->len; i++) {
		const struct qs_rcpt *r = g_ptr_array_index(m->rcpts, i);
		QF_CHECK(r && r->addr, "every recipient has an address");
	}
	QF_CHECK(!m->hdr || m->hdr->len <= QS_MAX_HEADER_BLOCK, "header block capped");
	QF_CHECK(!m->body || m->body->len <= QS_MAX_BODY, "body capped");
	QF_CHECK(!m->files || m->files->len <= QS_MAX_FILES_PER_MSG + 1, "files per message capped");
}

guint qf_walk_load(const struct qs_parser *p, int rootfd, const char *root)
{
	GError *err = NULL;
	struct qs_walk *w = p->walk_new(rootfd, root, &err);
	struct qs_item it;
	struct qs_msg *m;
	guint items = 0, steps = 0;
	int r;

	if (!w) {
		QF_CHECK(err != NULL, "walk_new failure sets *err");
		g_clear_error(&err);
		return 0;
	}
	qs_item_init(&it);
	m = qs_msg_new();
	/* a walk yields each message once; the cap only stops a runaway */
	while ((r = p->walk_next(w, &it, &err)) != 0 && steps++ < 1000) {
		if (r < 0) {
			QF_CHECK(err != NULL, "walk_next -1 sets *err");
			g_clear_error(&err);
			continue;
		}
		QF_CHECK(r == 1, "walk_next returns 1, 0 or -1");
		QF_CHECK(it.path && it.id, "an item has a path and an id");
		items++;
		qf_check_msg(m, p->load(rootfd, &it, m));
		qs_msg_clear(m);
		qs_item_clear(&it);
	}
	QF_CHECK(steps < 1000, "walk ends");
	p->walk_free(w);
	qs_item_clear(&it);
	g_ptr_array_free(it.files, TRUE);	/* qs_item_clear re-arms it */
	qs_msg_free(&m);
	return items;
}

/* the labelled corpus configuration, trimmed: enough for every rule kind */
static const char test_conf[] =
	"[qscan]\n"
	"local_domains = example.com;.example.org;example.org\n"
	"local_addresses = 192.0.2.10;2001:db8::10\n"
	"local_hostnames = mail.example.com\n"
	"trusted_networks = 127.0.0.0/8;::1;10.0.0.0/8;2001:db8:100::/48\n"
	"trusted_users = alice;bob@example.com\n"
	"abused_accounts = scanner\n"
	"[whitelist]\n"
	"senders = ceo@client.example\n"
	"domains = partner.example;.friends.example\n"
	"networks = 198.51.100.0/24\n"
	"[rule viagra]\ntarget = subject\npattern = (?i)v[i1]agra\neffect = purge\n"
	"[rule mailer]\ntarget = header:X-Mailer\npattern = ^OurNewsletter\neffect = spare\n"
	"[rule trap]\ntarget = recipient\npattern = @spamtrap\\.example$\neffect = purge\n"
	"[rule dyn]\ntarget = client\npattern = (?i)\\.dynamic\\.example$\neffect = purge\n";

struct qs_config *qf_config(void)
{
	int dfd;
	char *dir = qf_scratch("conf", &dfd);
	char *path = g_build_filename(dir, "qscan.conf", NULL);
	struct qf_part p = { (const uint8_t *)test_conf, sizeof test_conf - 1 };
	struct qs_config *c = qs_config_new();
	GError *err = NULL;

	qf_put(dfd, "qscan.conf", &p);
	close(dfd);
	if (qs_config_load(c, path, true, &err) < 0) {
		fprintf(stderr, "qscan fuzz: test configuration: %s\n", err->message);
		abort();
	}
	g_free(path);
	return c;
}
