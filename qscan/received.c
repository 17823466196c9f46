/* received.c - STUB: replaced by the Received-chain parser. */
#include "config.h"
#include <string.h>
#include "received.h"

int qs_received_parse(const char *value, struct qs_hop *hop)
{
	memset(hop, 0, sizeof *hop);
	return -1;
}

void qs_hop_clear(struct qs_hop *hop)
{
	g_free(hop->from);
	g_free(hop->rdns);
	g_free(hop->ip);
	g_free(hop->by);
	g_free(hop->with);
	g_free(hop->id);
	g_free(hop->for_addr);
	g_free(hop->auth_user);
	g_free(hop->date);
	g_free(hop->mta);
	memset(hop, 0, sizeof *hop);
}
