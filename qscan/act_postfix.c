/*
 * act_postfix.c - what qscan needs to know about a Postfix instance:
 * is its master running for this queue, is the queue the one postconf
 * describes (so postsuper works on it), and running postsuper with
 * queue IDs on stdin (shared/formats/postfix-qmail.md 1.11-1.12).
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "act-int.h"
#include "util.h"

bool qs_postfix_live(int rootfd)
{
	GByteArray *b = g_byte_array_new();
	struct stat st;
	guint64 pid = 0;
	bool live = false;

	if (qs_read_file(rootfd, "pid/master.pid", 64, b, &st, NULL) == 0) {
		char *s = g_strstrip(g_strndup((const char *)b->data, b->len));
		if (qs_parse_uint(s, 2, G_MAXINT32, &pid))
			live = kill((pid_t)pid, 0) == 0 || errno == EPERM;
		g_free(s);
	}
	g_byte_array_free(b, TRUE);
	return live;
}

static char *real(const char *p)
{
	char *r = realpath(p, NULL), *g;

	if (r == NULL)
		return g_strdup(p);
	g = g_strdup(r);
	free(r);
	return g;
}

bool qs_postfix_own_queue(const char *root)
{
	char *argv[] = { (char *)"postconf", (char *)"-h", (char *)"queue_directory", NULL };
	char *out = NULL;
	int status = 0;
	bool own = false;

	if (g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
			 NULL, NULL, &out, NULL, &status, NULL) && status == 0 && out) {
		char *q = real(g_strstrip(out)), *r = real(root);
		own = strcmp(q, r) == 0;
		g_free(q);
		g_free(r);
	}
	g_free(out);
	return own;
}

static char *last_line(int fd)
{
	char buf[4096];
	ssize_t n;
	char *s, *nl;

	if (lseek(fd, 0, SEEK_SET) < 0 || (n = read(fd, buf, sizeof buf - 1)) <= 0)
		return NULL;
	buf[n] = '\0';
	s = g_strstrip(buf);
	nl = strrchr(s, '\n');
	return g_strdup(nl ? nl + 1 : s);
}

/* postsuper reads one ID per line; its stderr goes to a temporary file
 * (never a pipe we do not drain) and the files tell what it did */
int qs_postsuper(const char *op, GPtrArray *ids, char **diag)
{
	char tmpl[] = "/tmp/qscan-postsuper-XXXXXX";
	int in[2], errfd = mkstemp(tmpl), status = 0;
	pid_t pid;
	guint i;

	*diag = NULL;
	if (errfd < 0)
		return -1;
	unlink(tmpl);
	if (pipe(in) < 0) {
		close(errfd);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(errfd, 1);
		dup2(errfd, 2);
		close(in[0]);
		close(in[1]);
		execlp("postsuper", "postsuper", op, "-", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	if (pid > 0) {
		void (*old)(int) = signal(SIGPIPE, SIG_IGN);
		for (i = 0; i < ids->len; i++) {
			const char *id = g_ptr_array_index(ids, i);
			if (write(in[1], id, strlen(id)) < 0 || write(in[1], "\n", 1) < 0)
				break;
		}
		close(in[1]);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		signal(SIGPIPE, old);
	} else {
		close(in[1]);
	}
	*diag = last_line(errfd);
	close(errfd);
	if (pid < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}
