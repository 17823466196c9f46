/*
 * fuzz.h - one shape for every qscan fuzz target.
 *
 * A target file defines init() (once, before the first input) and
 * one() (one input, must not leak or keep state that changes the next
 * run) and ends with QS_FUZZ_TARGET(name, init, one). Built for
 * libFuzzer (scripts/fuzz.sh) that expands to LLVMFuzzerInitialize and
 * LLVMFuzzerTestOneInput; with fuzz/standalone.c the same file becomes
 * a program that replays files given on the command line (plain or
 * afl-clang-fast builds); with -DQS_FUZZ_REGISTRY it becomes a
 * `struct qs_fuzz_target qs_fuzz_NAME` so that t/9501 links every
 * target into one test and replays t/data/fuzz/ through them.
 *
 * Targets abort() when qscan breaks a documented contract (a failed
 * load without an error set, invalid UTF-8 from the decoder ...), so
 * the fuzzer reports broken promises, not only memory errors.
 */
#ifndef QS_FUZZ_H
#define QS_FUZZ_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include "parser.h"

struct qs_fuzz_target {
	const char *name;
	void (*init)(void);
	int (*one)(const uint8_t *data, size_t size);
};

#ifdef QS_FUZZ_REGISTRY
#define QS_FUZZ_TARGET(nm, i, o) \
	const struct qs_fuzz_target qs_fuzz_##nm = { #nm, i, o };
#else
#define QS_FUZZ_TARGET(nm, i, o) \
	int LLVMFuzzerInitialize(int *argc, char ***argv); \
	int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n); \
	int LLVMFuzzerInitialize(int *argc, char ***argv) \
	{ (void)argc; (void)argv; qf_common_init(); i(); return 0; } \
	int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return o(d, n); }
#endif

/* a broken promise: print it and abort so the fuzzer keeps the input */
#define QF_CHECK(cond, what) \
	do { if (!(cond)) qf_fail(__FILE__, __LINE__, what); } while (0)
G_NORETURN void qf_fail(const char *file, int line, const char *what);

/* quiet logs, no young-file skipping, GMime ready (idempotent) */
void qf_common_init(void);

/* NUL-terminated copy of the input (caller frees) */
char *qf_cstr(const uint8_t *d, size_t n);

/* Multi-file inputs are the files' bytes joined by QF_SEP; a missing
 * part means "this file does not exist", an empty one an empty file. */
#define QF_SEP "\n\001QSFILE\001\n"
#define QF_SEP_LEN (sizeof(QF_SEP) - 1)
struct qf_part {
	const uint8_t *data;
	size_t len;
};
size_t qf_split(const uint8_t *d, size_t n, struct qf_part *parts, size_t max);

/* a private scratch directory below $TMPDIR, removed at exit; its fd */
char *qf_scratch(const char *tag, int *fd);
/* create dir/rel (and its parents) with exactly these bytes; remove it
 * when p is NULL. Aborts on failure (the harness, not qscan, broke). */
void qf_put(int dirfd, const char *rel, const struct qf_part *p);

/* walk the queue at root with parser p and load every item; checks the
 * parser.h contract on each result; returns the number of items */
guint qf_walk_load(const struct qs_parser *p, int rootfd, const char *root);
/* the contract checks on one loaded message */
void qf_check_msg(const struct qs_msg *m, int rc);
/* a test configuration: a few local domains, networks, users, rules */
struct qs_config *qf_config(void);

#endif
