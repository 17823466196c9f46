/*
 * confpriv.h - helpers shared by conf.c, confload.c and mtaconf.c; not
 * part of the interface the rest of qscan uses.
 */
#ifndef QS_CONFPRIV_H
#define QS_CONFPRIV_H

#include "conf.h"

/* split on ';' and ',', trim blanks, drop empty items (g_strfreev) */
char **qs_conf_split_list(const char *value);
/* "Example.COM." -> "example.com", ".Example.org" -> ".example.org";
 * NULL when not a valid domain */
char *qs_domain_entry_normalize(const char *entry);
/* add to a struct qs_domain * list unless present; false when invalid */
bool qs_config_domain_add(GPtrArray *list, const char *entry, const char *source);
void qs_domain_free(gpointer p);
/* compile r->pattern into r->re (JIT when possible); *why on error */
bool qs_rule_compile(struct qs_rule *r, char **why);
void qs_rule_free(gpointer p);
/* a note for -v about where (or why not) MTA settings were read */
void qs_config_note(struct qs_config *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

#endif
