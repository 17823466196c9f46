/*
 * testutil.h - helpers shared by the C tests: data paths, scratch
 * directories, writing files. Aborts the test (bail) on setup errors.
 */
#ifndef QS_TESTUTIL_H
#define QS_TESTUTIL_H

#include <stddef.h>
#include <glib.h>
#include <sys/types.h>

/* $QSCAN_TEST_DATA/<rel> (t/data), caller frees */
char *tu_data(const char *rel);
/* the Received values of t/data/received/cases.txt, folded lines joined */
GPtrArray *tu_received_values(void);
/* $QSCAN_SHARED/<rel> (../shared), NULL when absent; caller frees */
char *tu_shared(const char *rel);
/* a new empty directory under $TMPDIR, removed by tu_cleanup() */
char *tu_tmpdir(void);
void tu_cleanup(void);
/* write bytes to dir/rel, creating parent directories; mode applied */
void tu_write(const char *dir, const char *rel, const void *data, size_t len, mode_t mode);
/* run a shell command, return its exit status (-1 if it did not run) */
int tu_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
