/*
 * tap.h - a small TAP producer for the C tests (automake tap-driver).
 * plan(n) or done_testing(); every check prints "ok N - desc" or
 * "not ok N - desc" plus a diagnostic; descriptions are one line
 * without '#'. exit_status() is 0 only when every check passed.
 */
#ifndef QS_TAP_H
#define QS_TAP_H

#include <stdbool.h>
#include <stddef.h>

void plan(int n);
void skip_all(const char *why, ...) __attribute__((format(printf, 1, 2), noreturn));
bool ok(bool cond, const char *desc, ...) __attribute__((format(printf, 2, 3)));
bool is_int(long long got, long long want, const char *desc, ...) __attribute__((format(printf, 3, 4)));
/* strings: NULL equals only NULL */
bool is_str(const char *got, const char *want, const char *desc, ...) __attribute__((format(printf, 3, 4)));
bool is_blob(const void *got, size_t glen, const void *want, size_t wlen, const char *desc, ...)
	__attribute__((format(printf, 5, 6)));
void skip(const char *why, ...) __attribute__((format(printf, 1, 2)));
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
int done_testing(void);	/* prints the plan if none was given; returns exit status */
int exit_status(void);

#endif
