/*
 * addr.h - envelope addresses: effective destination, domains, locality.
 *
 * qs_addr_destination() decodes the relay tricks of the CERT relay test
 * list (POLICY.md): user%remote@local, "user@remote"@local,
 * user@remote@local, @local:user@remote, @a,@b:user@remote,
 * remote!user, remote!user@local, user@[1.2.3.4] ... and returns the
 * domain the mail would really go to: lower-case, trailing dot removed,
 * IDN in ASCII (punycode) form, address literals as "[192.0.2.1]" /
 * "[ipv6:...]". NULL when the address names no domain at all (a bare
 * local part is delivered locally). Caller frees.
 */
#ifndef QS_ADDR_H
#define QS_ADDR_H

#include <stdbool.h>
#include "conf.h"

char *qs_addr_destination(const char *addr);
/* normalised domain of a sender address, NULL for "" or no domain */
char *qs_addr_domain(const char *addr);
/* is this (normalised) domain ours? address literals only when the
 * address is one of local_addresses; NULL (no domain) is local */
bool qs_domain_is_local(const struct qs_config *c, const char *domain);
/* normalise a domain as qs_addr_destination does; NULL if invalid */
char *qs_domain_normalize(const char *domain);

/*
 * Additions (config work). The hops of an address, outermost first
 * (see addr.c): "a%b%c@local" -> local, c, b. qs_addr_destination()
 * returns the hop after the @-domain (assumed ours) or the first hop.
 *
 * qs_addr_resolve() uses the configuration: it walks the hops and stops
 * at the first that is not local (that is where this server sends the
 * mail: "user%local@remote" goes to remote, which the configuration-less
 * qs_addr_destination() cannot know). *dest_r (caller frees) is that
 * hop, or the last one when all are local; NULL with *local_r true for
 * a bare local part. QS_ADDR_INVALID (dest NULL, local false) is an
 * address that cannot be decoded: longer than QS_MAX_ADDR, unbalanced
 * quotes or brackets, an empty or malformed domain or address literal,
 * more than QS_ADDR_MAX_HOPS routing steps; the policy should call that
 * `unsure`. qs_addr_destination() returns NULL for those (a recipient
 * it cannot decode is never a reason to purge).
 */
#define QS_ADDR_MAX_HOPS 16
enum qs_addr_status {
	QS_ADDR_DOMAIN,		/* a destination domain */
	QS_ADDR_NO_DOMAIN,	/* bare local part: delivered here */
	QS_ADDR_INVALID,
};
enum qs_addr_status qs_addr_resolve(const struct qs_config *c, const char *addr,
				    char **dest_r, bool *local_r);
/* append the normalised hops (char *) to out */
enum qs_addr_status qs_addr_hops(const char *addr, GPtrArray *out);

#endif
