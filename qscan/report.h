/*
 * report.h - what a scan prints: JSON lines (shared/CLI.md) streamed as
 * results arrive, or the human triage report (totals by verdict and
 * reason, the attack's shape: top origin IPs, AUTH users, sender and
 * recipient domains, arrival rate; then the messages a person should
 * look at) printed at the end. Aggregates are bounded: past a cap of
 * distinct keys the rest is counted as "(other)".
 */
#ifndef QS_REPORT_H
#define QS_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include "pipeline.h"

struct qs_report;

struct qs_report_opts {
	bool json;
	bool show[3];		/* by enum qs_verdict: list these one per line */
	bool color;
	bool verbose;
	int width;		/* terminal columns */
};

struct qs_report *qs_report_new(const struct qs_report_opts *o, FILE *out);
/* one final result, in walk order; `root` is the QUEUE_DIR given */
void qs_report_add(struct qs_report *r, const char *root, const struct qs_result *res);
/* totals and grouped views (human) or the summary line (JSON) */
void qs_report_finish(struct qs_report *r, double elapsed_s, guint64 walk_errors);
void qs_report_free(struct qs_report **r);

struct qs_report_totals {
	guint64 scanned, relay, legit, unsure, errors, acted, act_failed;
};
const struct qs_report_totals *qs_report_totals(const struct qs_report *r);

/* a pipeline prerender (pipeline.h): res's JSON line, newline
 * included, into res->line; qs_report_add then prints that */
void qs_report_prerender_json(struct qs_result *res);
/* the JSON message line of CLI.md for one result (no newline) */
void qs_report_json_message(GString *out, const struct qs_result *res);
/* the recipients of m not yet delivered, as a JSON array of strings */
void qs_report_json_pending(GString *out, const struct qs_msg *m);

#endif
