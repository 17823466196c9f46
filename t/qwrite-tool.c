/*
 * qwrite-tool - write corpus cases into a queue of one format (t/lib/qwrite.h).
 *
 *   qwrite-tool CONF FORMAT DIR CASE.eml...
 *
 * CONF is the corpus qscan.conf: [qscan] local_hostnames, local_addresses
 * and local_domains give the server the queue belongs to. Prints one line
 * per message written, "case<TAB>format<TAB>id", and for a case the format
 * cannot hold "case<TAB>format<TAB>-<TAB>reason". Exit 1 on any error.
 */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include "lib/qwrite.h"

static char **conf_list(GKeyFile *kf, const char *key)
{
	char *v = g_key_file_get_value(kf, "qscan", key, NULL);
	char **l;

	if (v == NULL)
		return g_new0(char *, 1);
	g_strdelimit(v, ",", ';');
	l = g_strsplit(v, ";", -1);
	for (int i = 0; l[i]; i++)
		g_strstrip(l[i]);
	g_free(v);
	return l;
}

static char *case_name(const char *path)
{
	char *b = g_path_get_basename(path);
	char *dot = strrchr(b, '.');

	if (dot)
		*dot = '\0';
	return b;
}

int main(int argc, char **argv)
{
	GKeyFile *kf = g_key_file_new();
	GError *err = NULL;
	char **hosts, **addrs, **domains;
	struct qw_site site;
	int rc = 0;

	if (argc < 4) {
		fprintf(stderr, "usage: qwrite-tool CONF FORMAT DIR CASE.eml...\n");
		return 2;
	}
	if (!g_key_file_load_from_file(kf, argv[1], G_KEY_FILE_NONE, &err)) {
		fprintf(stderr, "qwrite-tool: %s: %s\n", argv[1], err->message);
		return 2;
	}
	hosts = conf_list(kf, "local_hostnames");
	addrs = conf_list(kf, "local_addresses");
	domains = conf_list(kf, "local_domains");
	site.hostname = hosts[0] ? hosts[0] : "localhost";
	site.address = addrs[0];
	site.local_domains = (const char *const *)domains;
	for (int i = 4; i < argc; i++) {
		struct qw_env e;
		GByteArray *msg = g_byte_array_new();
		GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
		char *name = case_name(argv[i]), *why = NULL;
		int w;

		qw_env_init(&e);
		w = qw_case_load(argv[i], &e, msg, &err);
		if (w == QW_OK)
			w = qw_write(argv[2], argv[3], (unsigned)(i - 3), &site, &e, msg->data, msg->len, ids,
				     &why, &err);
		if (w == QW_ERROR) {
			fprintf(stderr, "qwrite-tool: %s (%s): %s\n", argv[i], argv[2], err->message);
			g_clear_error(&err);
			rc = 1;
		} else if (w == QW_UNREPRESENTABLE) {
			printf("%s\t%s\t-\t%s\n", name, argv[2], why);
		}
		for (guint k = 0; k < ids->len; k++)
			printf("%s\t%s\t%s\n", name, argv[2], (char *)g_ptr_array_index(ids, k));
		g_free(why);
		g_free(name);
		g_ptr_array_unref(ids);
		g_byte_array_unref(msg);
		qw_env_clear(&e);
	}
	g_strfreev(hosts);
	g_strfreev(addrs);
	g_strfreev(domains);
	g_key_file_free(kf);
	return rc;
}
