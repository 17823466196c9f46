/* testutil.c - shared test helpers; see testutil.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>
#include "tap.h"
#include "testutil.h"

static GPtrArray *tmpdirs;

char *tu_data(const char *rel)
{
	const char *base = getenv("QSCAN_TEST_DATA");

	return g_build_filename(base ? base : "t/data", rel, NULL);
}

char *tu_shared(const char *rel)
{
	const char *base = getenv("QSCAN_SHARED");
	char *p = g_build_filename(base ? base : "../shared", rel, NULL);

	if (access(p, R_OK) != 0) {
		g_free(p);
		return NULL;
	}
	return p;
}

char *tu_tmpdir(void)
{
	char *d = g_dir_make_tmp("qscan-test-XXXXXX", NULL);

	if (d == NULL)
		bail("cannot make a temporary directory");
	if (tmpdirs == NULL)
		tmpdirs = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(tmpdirs, g_strdup(d));
	return d;
}

void tu_cleanup(void)
{
	guint i;

	for (i = 0; tmpdirs && i < tmpdirs->len; i++)
		tu_sh("rm -rf '%s'", (char *)g_ptr_array_index(tmpdirs, i));
}

void tu_write(const char *dir, const char *rel, const void *data, size_t len, mode_t mode)
{
	char *path = g_build_filename(dir, rel, NULL);
	char *parent = g_path_get_dirname(path);
	int fd;

	g_mkdir_with_parents(parent, 0755);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		bail("cannot write %s: %s", path, strerror(errno));
	fchmod(fd, mode);
	close(fd);
	g_free(parent);
	g_free(path);
}

int tu_sh(const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	int st;

	va_start(ap, fmt);
	cmd = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
	st = system(cmd);
	g_free(cmd);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* the values of cases.txt, folded lines joined without the breaks */
GPtrArray *tu_received_values(void)
{
	char *path = tu_data("received/cases.txt");
	FILE *f = fopen(path, "r");
	GPtrArray *v = g_ptr_array_new_with_free_func(g_free);
	GString *cur = NULL;
	char buf[8192];

	if (!f)
		bail("cannot open %s", path);
	while (fgets(buf, sizeof buf, f)) {
		buf[strcspn(buf, "\r\n")] = '\0';
		if (!strncmp(buf, "line:", 5)) {
			if (cur)
				g_ptr_array_add(v, g_string_free(cur, FALSE));
			cur = g_string_new(buf[5] == ' ' ? buf + 6 : buf + 5);
		} else if (!strncmp(buf, "more:", 5) && cur) {
			g_string_append(cur, buf + 5);
		}
	}
	if (cur)
		g_ptr_array_add(v, g_string_free(cur, FALSE));
	fclose(f);
	g_free(path);
	return v;
}
