/*
 * storeutil.h - helpers for the store tests (t/5xxx, t/6xxx): build
 * Postfix, qmail and MDaemon queue layouts by hand, describe their
 * messages as qs_msg records, run an actor and compare trees.
 */
#ifndef QS_STOREUTIL_H
#define QS_STOREUTIL_H

#include <stdbool.h>
#include <sys/types.h>
#include "act.h"
#include "msg.h"

struct su_file {
	const char *rel;
	const char *data;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	time_t mtime;
};

/* write a file with exact mode, owner and times */
void su_file(const char *root, const struct su_file *f);
/* Postfix message `id` in deferred/<id[0]>/ with defer, bounce, trace logfiles */
struct qs_msg *su_postfix_msg(const char *root, const char *id, const char *body);
/* qmail message number n (split 23): mess, info, local, remote, bounce */
struct qs_msg *su_qmail_msg(const char *root, unsigned long n, const char *body);
/* MDaemon message with route slip in Remote/ */
struct qs_msg *su_mdaemon_msg(const char *root, const char *base, const char *body);

/* a done callback recording (action, error) into a struct su_result */
struct su_result {
	char *action;
	char *error;
	int order;
};
void su_done(void *cookie, const char *action, const char *uuid, const char *error);
extern int su_done_calls;

struct qs_config *su_config(const char *qdir);
/* act on messages with a new actor; results into r[] */
int su_act(const struct qs_parser *p, const char *root, const char *qdir, struct qs_db *db,
	   enum qs_action action, struct qs_msg **m, int n, struct su_result *r);

/* is rel under root a regular file with these bytes? */
bool su_has(const char *root, const char *rel, const char *data);
bool su_exists(const char *root, const char *rel);
/* same mode, owner, mtime and bytes */
bool su_same_meta(const char *a, const char *b);
/* the single uuid of quarantine rows for queue id (NULL if none or more) */
char *su_uuid_of(const char *dbpath, const char *queue_id, const char *state);
long long su_q(const char *dbpath, const char *sql);
/* <qdir>/<store name> of file rel of quarantine entry uuid (flat layout) */
char *su_stored(const char *qdir, const char *uuid, const char *rel);
/* how many store entries entry uuid has under qdir: flat files
 * <uu>/<uuid>.* and an old-layout <uuid>/ directory */
int su_store_count(const char *qdir, const char *uuid);
/* files named *.qscan-tmp anywhere under dir */
int su_tmp_leftovers(const char *dir);

#endif
