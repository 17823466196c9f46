/*
 * 9501-harden-fuzz-regress - replay every input under t/data/fuzz/
 * through the same entry points as the fuzz targets (fuzz/fuzz-*.c,
 * built here with QS_FUZZ_REGISTRY). t/data/fuzz/TARGET/ holds the
 * seeds and every input a fuzzer once crashed on; t/data/fuzz/crashes/
 * holds reproducers named TARGET-what. A regression aborts (ASan, UBSan
 * or a contract check in the target), which fails this test. Each
 * target also gets an empty input and a few hand-picked edge cases.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tap.h"
#include "testutil.h"
#include "fuzz.h"

extern const struct qs_fuzz_target qs_fuzz_postfix, qs_fuzz_qmail, qs_fuzz_mdaemon,
	qs_fuzz_icewarp, qs_fuzz_received, qs_fuzz_addr, qs_fuzz_hdr, qs_fuzz_dsn,
	qs_fuzz_config;
static const struct qs_fuzz_target *const targets[] = {
	&qs_fuzz_postfix, &qs_fuzz_qmail, &qs_fuzz_mdaemon, &qs_fuzz_icewarp,
	&qs_fuzz_received, &qs_fuzz_addr, &qs_fuzz_hdr, &qs_fuzz_dsn, &qs_fuzz_config,
};
#define NTARGETS (sizeof targets / sizeof targets[0])

static const struct qs_fuzz_target *by_name(const char *name, size_t len)
{
	for (size_t i = 0; i < NTARGETS; i++)
		if (strlen(targets[i]->name) == len && strncmp(targets[i]->name, name, len) == 0)
			return targets[i];
	return NULL;
}

static void ready(const struct qs_fuzz_target *t)
{
	static bool done[NTARGETS];

	for (size_t i = 0; i < NTARGETS; i++)
		if (targets[i] == t && !done[i]) {
			done[i] = true;
			t->init();
		}
}

static void replay(const struct qs_fuzz_target *t, const char *path, const char *label)
{
	gchar *data = NULL;
	gsize len = 0;
	GError *err = NULL;

	if (!g_file_get_contents(path, &data, &len, &err)) {
		ok(false, "%s: %s", label, err->message);
		g_error_free(err);
		return;
	}
	ready(t);
	t->one((const uint8_t *)data, len);
	ok(true, "%s (%zu bytes)", label, (size_t)len);
	g_free(data);
}

static gint by_string(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* every regular file of dir, sorted, through target (NULL: by prefix) */
static void replay_dir(const char *dir, const struct qs_fuzz_target *t)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	GPtrArray *names;
	const char *n;

	if (!d)
		return;
	names = g_ptr_array_new_with_free_func(g_free);
	while ((n = g_dir_read_name(d)))
		g_ptr_array_add(names, g_strdup(n));
	g_dir_close(d);
	g_ptr_array_sort(names, by_string);
	for (guint i = 0; i < names->len; i++) {
		const char *name = g_ptr_array_index(names, i);
		char *path = g_build_filename(dir, name, NULL), *label;
		const struct qs_fuzz_target *tt = t;

		if (!tt) {
			const char *dash = strchr(name, '-');
			tt = by_name(name, dash ? (size_t)(dash - name) : strlen(name));
		}
		label = g_strdup_printf("%s: %s", tt ? tt->name : "?", name);
		if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
			;	/* README and the like are not inputs */
		else if (!tt)
			ok(false, "%s: name does not start with a target name", path);
		else
			replay(tt, path, label);
		g_free(label);
		g_free(path);
	}
	g_ptr_array_free(names, TRUE);
}

#define EDGE(s) { s, sizeof(s) - 1 }
static void edge_cases(void)
{
	static const struct { const char *s; size_t n; } cases[] = {
		EDGE(""), EDGE("\n"), EDGE("\r\n\r\n"), EDGE(":"), EDGE("\0\0\0\0"),
		EDGE("From: =?utf-8?b?=?=\n\n"),
		EDGE("Received: from [IPv6:::ffff:1.2.3.4] by x; 1 Jan"),
		EDGE("\n\001QSFILE\001\n\n\001QSFILE\001\n\n\001QSFILE\001\n\n\001QSFILE\001\n"),
		EDGE("S\0\0\0"), EDGE("\x01\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01"),
		EDGE("[qscan]\nlocal_domains=\n"),
	};

	for (size_t i = 0; i < NTARGETS; i++) {
		ready(targets[i]);
		for (size_t c = 0; c < G_N_ELEMENTS(cases); c++)
			targets[i]->one((const uint8_t *)cases[c].s, cases[c].n);
		ok(true, "%s: %zu edge cases", targets[i]->name, G_N_ELEMENTS(cases));
	}
}

int main(int argc, char **argv)
{
	const char *data = g_getenv("QSCAN_TEST_DATA");
	char *root, *dir;

	/* GSlice keeps freed and leaked chunks alike in its magazines, where
	 * LeakSanitizer sees them as reachable: plain malloc makes leaks of
	 * the targets visible in ASan builds (GLib < 2.76). GLib reads
	 * G_SLICE once, early: set it and start again. */
	if (!getenv("G_SLICE") && argc > 0) {
		setenv("G_SLICE", "always-malloc", 1);
		execv("/proc/self/exe", argv);
	}
	if (!data)
		bail("QSCAN_TEST_DATA is not set");
	root = g_build_filename(data, "fuzz", NULL);
	qf_common_init();
	edge_cases();
	for (size_t i = 0; i < NTARGETS; i++) {
		dir = g_build_filename(root, targets[i]->name, NULL);
		replay_dir(dir, targets[i]);
		g_free(dir);
	}
	dir = g_build_filename(root, "crashes", NULL);
	replay_dir(dir, NULL);
	g_free(dir);
	g_free(root);
	return done_testing();
}
