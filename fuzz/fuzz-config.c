/*
 * fuzz-config.c - the qscan.conf reader: the input written to a file and
 * loaded over the embedded defaults. Every error must name the file.
 */
#include "config.h"
#include <string.h>
#include <unistd.h>
#include "fuzz.h"
#include "conf.h"

static int dirfd_ = -1;
static char *path;

static void init(void)
{
	char *dir = qf_scratch("config", &dirfd_);

	path = g_build_filename(dir, "qscan.conf", NULL);
}

static int one(const uint8_t *d, size_t n)
{
	struct qf_part p = { d, n };
	struct qs_config *c = qs_config_new();
	GError *err = NULL;
	int r;

	qf_put(dirfd_, "qscan.conf", &p);
	r = qs_config_load(c, path, true, &err);
	QF_CHECK(r == 0 || r == -1, "config: returns 0 or -1");
	if (r < 0) {
		QF_CHECK(err != NULL, "config: failure sets *err");
		QF_CHECK(strstr(err->message, "qscan.conf") != NULL, "config: errors name the file");
		g_error_free(err);
	} else {
		QF_CHECK(err == NULL, "config: success leaves *err alone");
		QF_CHECK(c->block_threshold >= 1 && c->block_threshold <= 1000000, "config: threshold in range");
		QF_CHECK(c->block_window >= 1 && c->block_window <= 3650, "config: window in range");
		QF_CHECK(!c->database || c->database[0] == '/', "config: database is absolute");
		QF_CHECK(!c->quarantine_dir || c->quarantine_dir[0] == '/', "config: quarantine_dir is absolute");
		QF_CHECK(c->rules->len <= 256, "config: rules capped");
	}
	qs_config_free(&c);
	return 0;
}

QS_FUZZ_TARGET(config, init, one)
