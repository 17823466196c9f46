/*
 * received_rules.h - the parse state shared by received.c (clause
 * walk) and received_rules.c (what comments and words mean: SMTP AUTH,
 * local submission, the writing MTA) and received_out.c (date, final
 * fields). Internal to qscan/received_*.c.
 */
#ifndef QS_RECEIVED_RULES_H
#define QS_RECEIVED_RULES_H

#include "received.h"
#include "received_int.h"

enum qs_clause { QS_CL_NONE, QS_CL_FROM, QS_CL_BY, QS_CL_VIA, QS_CL_WITH, QS_CL_ID, QS_CL_FOR, QS_CL_OTHER };

struct qs_rp {
	const struct qs_rlex *lx;
	struct qs_hop *hop;
	enum qs_clause cl;
	bool want;		/* clause keyword seen, its value not yet */
	bool closed;		/* a comment followed the value: later words are noise */
	bool seen_from, seen_by, seen_with, junk, qmail_line;
	bool with_before_by, with_again;
	bool by_comment;	/* "by host (...)": qmail-smtpd never writes one */
	bool ambiguous;		/* forged-looking: names carried keywords or comments */
	bool auth_before_client;	/* an AUTH note came before the client comment */
	struct qs_span from_word, helo, rdns, by, id, for_addr, user, ident;
	bool have_helo, helo_in_comment, rdns_decided;
	bool bare_ip;		/* client address written without brackets */
	bool ip_alone;		/* a client comment held only "[ip]" */
	char ip[QS_RCVD_IPLEN];
	int ip_prio;		/* 0 none, 1 from-word, 2 extra word, 3 bare, 4 "[ip]" */
	char with[QS_RCVD_MAX_WITH + 1];
	size_t with_len;
	int with_words;
	bool authenticated, local, courier_hint, ssl_note;
	const char *mta;
	char date[QS_RCVD_MAX_DATE + 1];	/* qs_rcvd_date(), copied out by finish */
	size_t date_len;
	bool one_block;		/* the hop goes in front of its strings (qs_received_parse_new) */
	char *block;		/* ... that allocation, made by finish */
};

/* received_rules.c */
void qs_rcvd_auth_words(struct qs_rp *r, const struct qs_span *w, size_t n);
void qs_rcvd_local_words(struct qs_rp *r, const struct qs_span *w, size_t n);
void qs_rcvd_product(struct qs_rp *r, struct qs_span in, const struct qs_span *w, size_t n);
bool qs_rcvd_special_word(struct qs_rp *r, struct qs_span w);	/* OpenSMTPD auth=, user= */
void qs_rcvd_guess_mta(struct qs_rp *r);

/* received_out.c */
void qs_rcvd_date(struct qs_rp *r, struct qs_span d);
void qs_rcvd_finish(struct qs_rp *r);

#endif
