/* mtaconf.c - placeholder, filled below */
#include "config.h"
#include "conf.h"
void qs_config_mta_defaults(struct qs_config *c, const char *format, const char *queue_root)
{
	(void)c; (void)format; (void)queue_root;
}
