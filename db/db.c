/* db.c - STUB: replaced by the SQLite work. */
#include "config.h"
#include "db.h"

struct qs_db {
	int unused;
};

struct qs_db *qs_db_open(const char *path, bool writable, GError **err)
{
	return g_new0(struct qs_db, 1);
}

void qs_db_close(struct qs_db **db)
{
	g_free(*db);
	*db = NULL;
}

int qs_db_run_begin(struct qs_db *db, const char *queue_root, const char *format,
		    const char *options, gint64 *run_id, GError **err)
{
	*run_id = 0;
	return 0;
}

int qs_db_record(struct qs_db *db, gint64 run_id, const struct qs_msg *m,
		 const struct qs_judgement *j, const char *action, GError **err)
{
	return 0;
}

int qs_db_run_end(struct qs_db *db, gint64 run_id, const struct qs_run_totals *t, GError **err)
{
	return 0;
}
