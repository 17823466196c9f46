/*
 * dirset.h - the numbers a directory holds as file names, read once.
 *
 * qmail names every file of a message by the same number in six
 * directories; asking the file system for each (fstatat per name, six
 * a message, most of them misses) costs more than the message itself.
 * A set is the directory read in one go: names that are not canonical
 * numbers cannot be a message's and are left out.
 */
#ifndef QSCAN_DIRSET_H
#define QSCAN_DIRSET_H

#include <glib.h>
#include <stdbool.h>

struct qs_dirset {
	GArray *nums;	/* guint64, sorted */
	bool listed;	/* false: not read (larger than the cap, unreadable) */
};

void qs_dirset_init(struct qs_dirset *s);
void qs_dirset_free(struct qs_dirset *s);
/* read rel (relative to rootfd); a directory that is not there is an
 * empty set; more than cap numeric names or an error leave it unlisted */
void qs_dirset_read(struct qs_dirset *s, int rootfd, const char *rel, guint cap);
/* name is a canonical number: digits, no leading zero, fits 64 bits */
bool qs_dirset_number(const char *name, guint64 *num);
/* 1 = the directory held name when read, 0 = it did not, -1 = not known
 * (unlisted set, or a name that is no canonical number): ask the disk */
int qs_dirset_has(const struct qs_dirset *s, const char *name);

#endif
