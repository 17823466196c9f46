/* cli_common.c - pieces every subcommand uses; see cli.h. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "log.h"

struct qs_config *qs_cli_config(const char *path)
{
	struct qs_config *c = qs_config_new();
	GError *err = NULL;
	const char *file = path ? path : SYSCONFDIR "/qscan.conf";

	/* the default file may be absent; one named with -c must exist */
	if (qs_config_load(c, file, path != NULL, &err) < 0)
		qs_fatal(QS_EXIT_USAGE, "%s", err->message);
	return c;
}

int qs_cli_open_root(const char *root)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		qs_fatal(QS_EXIT_USAGE, "%s: cannot open the queue directory: %s%s", root,
			 g_strerror(errno), errno == EACCES ? " (run qscan as root)" : "");
	return fd;
}

void qs_cli_parse(GOptionContext *ctx, int *argc, char ***argv)
{
	GError *err = NULL;

	if (!g_option_context_parse(ctx, argc, argv, &err)) {
		fprintf(stderr, "qscan: %s (see --help)\n", err->message);
		exit(QS_EXIT_USAGE);
	}
}
