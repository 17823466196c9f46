/*
 * origin.h - who handed a message to us, where it really came from and
 * whether the sender authenticated (POLICY.md "Facts").
 *
 * qs_origin_find() parses the Received chain (j->headers must already
 * hold the parsed header block) into j->hops, newest first, and marks
 * each hop:
 *   ours     written by this server. Normal mode: the newest hop is ours;
 *            an older hop stays ours while the chain below an ours hop
 *            is still inside this server: the older hop's `by` is one of
 *            our names (local_hostnames, the newest hop's `by`, an address
 *            of local_addresses, or localhost for a local filter such as
 *            amavisd) and the previous ours hop's sending host is
 *            loopback/local_addresses (content filter re-injection,
 *            webmail) or in trusted_networks; or the previous hop has no
 *            IP and names us as its sender; or it is qmail's
 *            "(qmail N invoked from network)" half of a pair. A hop below
 *            one that came from an external host or from a local program
 *            (uid, pickup) is never ours: its text was written by someone
 *            else and may be forged.
 *            Carried mode (the original inside a bounce): hops newer than
 *            the first one whose `by` is one of our names (or one of
 *            local_addresses) are not ours; from there on as above.
 *   trusted  its sending IP is in trusted_networks or local_addresses.
 * Then:
 *   client      queue metadata first (m->client_ip/helo/name,
 *               local_submission), else the oldest consecutive ours hop
 *               (qmail: the "from" line of the pair; "invoked by uid" or
 *               a Postfix "from userid" line = local submission; qmail's
 *               "invoked for bounce" is our bounce daemon, not a
 *               submission).
 *   origin      (POLICY rules 6 and 10: "the client that handed it to
 *               us") the client seen through this host's own hops: the
 *               first sending IP, in the metadata or in an ours hop, that
 *               is not loopback/local_addresses (a content filter's
 *               re-injection or webmail on 127.0.0.1 hides the real
 *               client behind it). j->origin_trusted: it is in
 *               trusted_networks/local_addresses; j->origin_external: it
 *               is neither trusted nor this host.
 *   origin_ip   the external origin IP that is counted: walking on from
 *               the client while the sending host is trusted or us, the
 *               first that is neither (a trusted LAN relay's own sender);
 *               when there is none, the deepest trusted one. Hops below a
 *               local program's line are never walked.
 *   AUTH        metadata auth_user, else an ours hop marked authenticated
 *               (parser flag, with ESMTPA/ESMTPSA/LMTPA/ASMTP, "(authenticated
 *               as X)", "Authenticated sender: X"); the user from that
 *               hop, another ours hop, else X-Authenticated-Sender /
 *               -User / -As, X-Auth-User, X-AuthUser, X-Sender-Auth-User.
 *               Claims in hops that are not ours are ignored (forgeable).
 *               Authenticated without a user name: j->authenticated true,
 *               j->auth_user NULL.
 * Every fact is added to j->trace.
 */
#ifndef QS_ORIGIN_H
#define QS_ORIGIN_H

#include <stdbool.h>
#include "classify.h"

/* extra_name: one more host name to count as ours (e.g. the outer
 * bounce's newest `by`), or NULL; carried: see above */
void qs_origin_find(const struct qs_config *c, const struct qs_msg *m,
		    struct qs_judgement *j, bool carried, const char *extra_name);

/* helpers shared with classify.c and dsn.c */
bool qs_ip_is_us(const struct qs_config *c, const char *ip);	/* loopback or local_addresses */
bool qs_ip_is_trusted(const struct qs_config *c, const char *ip);	/* trusted_networks or local_addresses */
/* is this host name (or [address literal]) one of ours? */
bool qs_host_is_ours(const struct qs_config *c, const char *host, const char *extra_name);
/* append a trace entry; detail printf-style, may be NULL */
void qs_trace_add(struct qs_judgement *j, const char *rule, bool matched,
		  const char *fmt, ...) G_GNUC_PRINTF(4, 5);

#endif
