/* report_priv.h - the report's state, shared by report.c (collecting)
 * and report_human.c (printing the triage report). */
#ifndef QS_REPORT_PRIV_H
#define QS_REPORT_PRIV_H

#include "report.h"

#define AGG_CAP 50000		/* distinct keys per grouped view */
#define TOP_ROWS 10
#define LIST_CAP 5000		/* messages listed one per line */

struct row {
	guint64 n[3];		/* by enum qs_verdict */
	char *sample;		/* a subject seen with this key */
};

struct agg {
	const char *title;
	GHashTable *rows;	/* char * -> struct row * */
	struct row other;
};

enum { AGG_IP, AGG_AUTH, AGG_SENDER, AGG_RCPT, AGG_N };

struct qs_report {
	struct qs_report_opts o;
	FILE *out;
	GString *line;
	struct qs_report_totals t;
	GHashTable *reasons[3];	/* tag -> count, by verdict */
	struct agg agg[AGG_N];
	GHashTable *arrival;	/* hour start -> struct row */
	gint64 first, last;
	GPtrArray *listed;	/* char *: human lines of listed messages */
	guint64 unlisted;
	GPtrArray *formats;	/* char *: "root (format)" */
};

#endif
