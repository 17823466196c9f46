/* dirset.c - the numbers a directory holds as file names; see dirset.h */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "dirset.h"
#include "plainmsg.h"
#include "util.h"

void qs_dirset_init(struct qs_dirset *s)
{
	s->nums = g_array_new(FALSE, FALSE, sizeof(guint64));
	s->listed = false;
}

void qs_dirset_free(struct qs_dirset *s)
{
	if (s->nums)
		g_array_free(s->nums, TRUE);
	s->nums = NULL;
	s->listed = false;
}

bool qs_dirset_number(const char *name, guint64 *num)
{
	guint64 v = 0;
	const char *p;

	if (name[0] < '1' || name[0] > '9')
		return false;
	for (p = name; *p; p++) {
		guint d = (guint)(*p - '0');
		if (d > 9 || v > (G_MAXUINT64 - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*num = v;
	return true;
}

static int cmp_u64(const void *a, const void *b)
{
	guint64 x = *(const guint64 *)a, y = *(const guint64 *)b;

	return x < y ? -1 : x > y;
}

void qs_dirset_read(struct qs_dirset *s, int rootfd, const char *rel, guint cap)
{
	GError *err = NULL;
	DIR *d = qs_opendir_rel(rootfd, rel, &err);
	struct dirent *de;
	guint64 v;

	g_array_set_size(s->nums, 0);
	s->listed = false;
	if (d == NULL) {
		/* no such directory: nothing of any message is in it */
		s->listed = err->code == ENOENT;
		g_error_free(err);
		return;
	}
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (!qs_dirset_number(de->d_name, &v))
			continue;
		if (s->nums->len >= cap)
			break;
		g_array_append_val(s->nums, v);
	}
	/* a read error or a cut-short list would claim files are missing */
	s->listed = de == NULL && errno == 0;
	closedir(d);
	if (!s->listed) {
		g_array_set_size(s->nums, 0);
		return;
	}
	if (s->nums->len > 1)	/* (an empty array has no data to hand qsort) */
		qsort(s->nums->data, s->nums->len, sizeof(guint64), cmp_u64);
}

int qs_dirset_has(const struct qs_dirset *s, const char *name)
{
	const guint64 *a = (const guint64 *)(void *)s->nums->data;
	guint lo = 0, hi = s->nums->len;
	guint64 v;

	if (!s->listed || !qs_dirset_number(name, &v))
		return -1;
	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		if (a[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nums->len && a[lo] == v;
}
