/*
 * postfix_logs.c - where a message's defer/, bounce/ and trace/ logfiles
 * are, and the walk's listings of those directories.
 *
 * A message in deferred/4/ has its defer logfile, if any, in defer/4/
 * (the same hash of the same queue ID). Asking for each (one fstatat per
 * message, a tenth of a dry run's time) costs more than reading defer/4/
 * once when the walk enters deferred/4/ and looking names up in memory.
 * The walk does that for every log directory it can answer for; what it
 * cannot (a flat queue such as incoming/ whose messages hash all over
 * defer/, a listing too large, a file system without d_type) is left as
 * a hint in item->kind for load() to ask the file system, as before.
 */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "qs_limits.h"
#include "util.h"
#include "postfix_int.h"

/* names kept in all listings together (about 64 bytes each): a log
 * directory that would take more is asked name by name instead */
#define PF_LIST_BUDGET (1u << 17)

struct pf_loglist {
	char *dir;		/* the directory listed, NULL = none yet */
	GHashTable *names;	/* regular files in it */
	bool listed;		/* false: unreadable or too large: ask per message */
	unsigned epoch;		/* the walk directory it was listed for */
};

struct pf_loglists {
	struct pf_loglist l[PF_NLOGDIRS][PF_LOG_BITS];
};

void pf_logpath(int i, int d, const char *hex, const char *id, char *buf, size_t size)
{
	size_t n = strlen(pf_logdirs[i]), hl = strlen(hex);
	int k;

	if (n + 2 * (size_t)d + 2 + strlen(id) <= size) {
		/* the common case, built without printf */
		memcpy(buf, pf_logdirs[i], n);
		for (k = 0; k < d; k++) {
			buf[n++] = '/';
			buf[n++] = (size_t)k < hl ? hex[k] : '_';
		}
		buf[n++] = '/';
		strcpy(buf + n, id);
		return;
	}
	n = (size_t)snprintf(buf, size, "%s", pf_logdirs[i]);
	for (k = 0; k < d && n + 2 < size; k++)
		n += (size_t)snprintf(buf + n, size - n, "/%c", (size_t)k < hl ? hex[k] : '_');
	if (n < size)
		snprintf(buf + n, size - n, "/%s", id);
}

struct pf_loglists *pf_loglists_new(void)
{
	struct pf_loglists *L = g_new0(struct pf_loglists, 1);
	int i, d;

	for (i = 0; i < PF_NLOGDIRS; i++)
		for (d = 0; d < PF_LOG_BITS; d++)
			L->l[i][d].names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	return L;
}

void pf_loglists_free(struct pf_loglists *L)
{
	int i, d;

	if (L == NULL)
		return;
	for (i = 0; i < PF_NLOGDIRS; i++)
		for (d = 0; d < PF_LOG_BITS; d++) {
			g_free(L->l[i][d].dir);
			g_hash_table_destroy(L->l[i][d].names);
		}
	g_free(L);
}

/* what the other listings leave of the budget for l */
static guint room(const struct pf_loglists *L, const struct pf_loglist *l)
{
	guint used = 0;
	int i, d;

	for (i = 0; i < PF_NLOGDIRS; i++)
		for (d = 0; d < PF_LOG_BITS; d++)
			if (&L->l[i][d] != l)
				used += g_hash_table_size(L->l[i][d].names);
	return used < PF_LIST_BUDGET ? PF_LIST_BUDGET - used : 0;
}

/* read dir into the list; a directory that is not there holds nothing */
static void list(struct pf_loglist *l, int rootfd, const char *dir, guint cap)
{
	int fd = openat(rootfd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d;
	struct dirent *e;

	g_free(l->dir);
	l->dir = g_strdup(dir);
	g_hash_table_remove_all(l->names);
	l->listed = false;
	if (fd < 0) {
		l->listed = errno == ENOENT;
		return;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return;
	}
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_type == DT_UNKNOWN || g_hash_table_size(l->names) >= cap)
			break;	/* no types here, or too many: ask per message */
		if (e->d_type == DT_REG && pf_name_ok(e->d_name))
			g_hash_table_add(l->names, g_strdup(e->d_name));
	}
	l->listed = e == NULL && errno == 0;
	closedir(d);
	if (!l->listed)
		g_hash_table_remove_all(l->names);
}

/* 1 = the logfile is there, 0 = not, -1 = cannot tell (ask the disk);
 * a directory is listed at most once per walk directory (epoch), so a
 * flat queue whose messages hash everywhere does not re-read defer/
 * for each of them */
static int lookup(struct pf_loglists *L, struct pf_loglist *l, int rootfd, unsigned epoch,
		  const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	size_t n = (size_t)(slash - path);

	if (n >= sizeof dir)
		return -1;
	memcpy(dir, path, n);
	dir[n] = '\0';
	if (l->dir == NULL || strcmp(l->dir, dir) != 0 || l->epoch != epoch) {
		if (l->epoch == epoch && l->dir != NULL)
			return -1;
		g_hash_table_remove_all(l->names);	/* its room is free again */
		list(l, rootfd, dir, room(L, l));
		l->epoch = epoch;
	}
	if (!l->listed)
		return -1;
	return g_hash_table_contains(l->names, slash + 1);
}

unsigned pf_logs_resolve(struct pf_loglists *L, int rootfd, unsigned epoch, struct qs_item *item)
{
	unsigned hints = (unsigned)item->kind, left = hints;
	char hex[32], path[PATH_MAX];
	int i, d;

	pf_id_hash_chars(item->id, hex, sizeof hex);
	/* log directories in order, as load() adds them; stop at the first
	 * one the listings cannot answer so the file order stays the same */
	for (i = 0; i < PF_NLOGDIRS; i++) {
		unsigned depths = (hints >> (i * PF_LOG_BITS)) & PF_LOG_MASK;
		char *found = NULL;
		for (d = 0; d < PF_LOG_BITS && depths; d++) {
			int has;
			if (!(depths & (1u << d)))
				continue;
			pf_logpath(i, d, hex, item->id, path, sizeof path);
			has = lookup(L, &L->l[i][d], rootfd, epoch, path);
			if (has < 0)
				return left;
			if (has) {
				found = g_strdup(path);
				break;
			}
		}
		if (found && item->files->len < QS_MAX_FILES_PER_MSG)
			g_ptr_array_add(item->files, found);
		else
			g_free(found);
		left &= ~(PF_LOG_MASK << (i * PF_LOG_BITS));
	}
	return left;
}
