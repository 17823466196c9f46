/* config.c - STUB: embedded defaults only; replaced by the config work. */
#include "config.h"
#include <string.h>
#include "conf.h"
#include "util.h"

static const char *const default_abused[] = {
	"mdaemon", "webmaster", "postmaster", "admin", "administrator",
	"root", "test", "guest", "info", "abuse", NULL,
};

struct qs_config *qs_config_new(void)
{
	struct qs_config *c = g_new0(struct qs_config, 1);
	int i;

	c->local_domains = g_ptr_array_new();
	c->local_addresses = g_array_new(FALSE, TRUE, sizeof(struct qs_net));
	c->trusted_networks = g_array_new(FALSE, TRUE, sizeof(struct qs_net));
	c->trusted_users = g_ptr_array_new_with_free_func(g_free);
	c->abused_accounts = g_ptr_array_new_with_free_func(g_free);
	c->wl_senders = g_ptr_array_new_with_free_func(g_free);
	c->wl_recipients = g_ptr_array_new_with_free_func(g_free);
	c->wl_domains = g_ptr_array_new_with_free_func(g_free);
	c->wl_networks = g_array_new(FALSE, TRUE, sizeof(struct qs_net));
	c->rules = g_ptr_array_new();
	for (i = 0; default_abused[i]; i++)
		g_ptr_array_add(c->abused_accounts, g_strdup(default_abused[i]));
	c->action = QS_ACTION_QUARANTINE;
	c->database = g_strdup(LOCALSTATEDIR "/lib/qscan/qscan.db");
	c->quarantine_dir = g_strdup(LOCALSTATEDIR "/lib/qscan/quarantine");
	c->block_threshold = 20;
	c->block_window = 3;
	return c;
}

void qs_config_free(struct qs_config **cp)
{
	g_free(*cp);
	*cp = NULL;
}

int qs_config_load(struct qs_config *c, const char *path, bool must_exist, GError **err)
{
	return 0;
}

int qs_config_add_local_domain(struct qs_config *c, const char *domain, const char *source, GError **err)
{
	struct qs_domain *d = g_new0(struct qs_domain, 1);

	d->name = g_ascii_strdown(domain, -1);
	d->source = g_strdup(source);
	g_ptr_array_add(c->local_domains, d);
	c->local_domains_configured = true;
	return 0;
}

int qs_config_add_trusted_network(struct qs_config *c, const char *cidr, GError **err)
{
	return 0;
}

void qs_config_mta_defaults(struct qs_config *c, const char *format, const char *queue_root)
{
}

bool qs_net_parse(const char *text, struct qs_net *out)
{
	return false;
}

bool qs_net_match(const struct qs_net *n, const char *ip)
{
	return false;
}

bool qs_net_list_match(const GArray *nets, const char *ip)
{
	return false;
}
