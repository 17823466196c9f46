/*
 * classify.h - shared/POLICY.md: one verdict and its reasons per message.
 *
 * qs_judge() is a pure function of (message, configuration): it parses
 * the header block and the Received chain, finds the origin, decodes
 * every recipient's destination and applies the rules in POLICY order.
 * It records every fact and rule tried so that `qscan explain` and the
 * report can show why. One qs_judge_ctx per thread (it owns match data
 * and buffers); the configuration is shared read-only.
 */
#ifndef QS_CLASSIFY_H
#define QS_CLASSIFY_H

#include <glib.h>
#include <stdbool.h>
#include "conf.h"
#include "hdr.h"
#include "msg.h"
#include "received.h"

enum qs_verdict {
	QS_VERDICT_UNSURE = 0,
	QS_VERDICT_LEGIT,
	QS_VERDICT_RELAY,
};

struct qs_dest {
	char *addr;		/* pending recipient */
	char *dest;		/* effective destination domain, or NULL (local part only) */
	bool local;
};

struct qs_trace {
	char *rule;		/* "whitelist", "rule:NAME", "local-recipient", ... */
	bool matched;
	char *detail;		/* why, or NULL */
};

struct qs_judgement {
	enum qs_verdict verdict;
	GPtrArray *reasons;	/* char *: POLICY.md tags */
	struct qs_headers headers;
	GPtrArray *hops;	/* struct qs_hop *, newest first */
	char *client_ip;	/* who handed it to us */
	char *client_helo;
	char *auth_user;
	char *origin_ip;	/* external origin IP, counted per day */
	char *subject;		/* decoded UTF-8, or NULL */
	GPtrArray *dests;	/* struct qs_dest * */
	GPtrArray *trace;	/* struct qs_trace *, in the order tried */
	char *explanation;	/* one line: "relay: open-relay - sender ..." */
	struct qs_judgement *original;	/* bounce: the carried original, or NULL */
	/* facts added by the policy engine (origin.h) */
	char *client_name;	/* rDNS of the client, if known */
	bool authenticated;	/* SMTP AUTH seen (metadata or an ours hop); user may be unknown */
	bool local_submission;	/* no network client: sendmail command, pickup, uid */
	bool origin_trusted;	/* the origin (client, looking through this host's own hops) is trusted */
	bool origin_external;	/* ... is neither trusted nor this host */
	bool rcpts_from_received;	/* envelope unknown: recipients taken from our hops' `for` */
	bool carried_passed_here;	/* original in a bounce: it passed through this server */
	bool carried_incomplete;	/* original in a bounce: its header block was cut */
	char *origin_client;	/* the POLICY origin: the client seen through our own hops */
	char *origin_helo;	/* its HELO and rDNS name, when known */
	char *origin_name;
	bool quiet;		/* set by the caller: skip j->trace (a bulk scan that shows
				 * no explanation saves ~20%); kept across qs_judgement_clear */	/* when set, client_ip, client_helo, client_name, origin_client,
	 * origin_helo, origin_name and origin_ip point into this one
	 * allocation (origin.c makes it), and qs_judgement_clear() frees
	 * only it; NULL: they are separate g_malloc'd strings */
	char *origin_store;
};

struct qs_judge_ctx;
struct qs_judge_ctx *qs_judge_ctx_new(const struct qs_config *c);
void qs_judge_ctx_free(struct qs_judge_ctx **ctx);

void qs_judgement_init(struct qs_judgement *j);
void qs_judgement_clear(struct qs_judgement *j);	/* reusable afterwards */
void qs_judgement_destroy(struct qs_judgement *j);	/* release everything; init again to reuse */
void qs_judge(struct qs_judge_ctx *ctx, const struct qs_msg *m, struct qs_judgement *j);

const char *qs_verdict_name(enum qs_verdict v);	/* "relay", "legit", "unsure" */

#endif
