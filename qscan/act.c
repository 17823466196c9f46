/* act.c - STUB: replaced by the quarantine/delete work. Acting is refused. */
#include "config.h"
#include "act.h"
#include "util.h"

struct qs_actor *qs_actor_new(const struct qs_parser *p, int rootfd, const char *root,
			      const struct qs_config *cfg, enum qs_action action,
			      struct qs_db *db, GError **err)
{
	g_set_error(err, QS_ERROR, 0, "acting on a queue is not implemented yet; use --dry-run");
	return NULL;
}

void qs_actor_submit(struct qs_actor *a, const struct qs_msg *m, qs_act_done done, void *cookie)
{
	done(cookie, "failed", "not implemented");
}

void qs_actor_flush(struct qs_actor *a)
{
}

void qs_actor_free(struct qs_actor **a)
{
	*a = NULL;
}

const char *qs_actor_method(const struct qs_actor *a)
{
	return "none";
}
