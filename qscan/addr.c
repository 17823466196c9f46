/* addr.c - STUB: replaced by the address normaliser. */
#include "config.h"
#include <string.h>
#include "addr.h"

char *qs_addr_destination(const char *addr)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;

	return at ? g_ascii_strdown(at + 1, -1) : NULL;
}

char *qs_addr_domain(const char *addr)
{
	return qs_addr_destination(addr);
}

char *qs_domain_normalize(const char *domain)
{
	return domain ? g_ascii_strdown(domain, -1) : NULL;
}

bool qs_domain_is_local(const struct qs_config *c, const char *domain)
{
	guint i;

	if (domain == NULL)
		return true;
	for (i = 0; i < c->local_domains->len; i++) {
		const struct qs_domain *d = g_ptr_array_index(c->local_domains, i);
		if (strcmp(d->name, domain) == 0)
			return true;
	}
	return false;
}
