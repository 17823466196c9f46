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

#endif
