/* tap.c - TAP output for the C tests; see tap.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tap.h"

static int planned = -1, run, failed;

void plan(int n)
{
	planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

void skip_all(const char *why, ...)
{
	va_list ap;

	printf("1..0 # SKIP ");
	va_start(ap, why);
	vprintf(why, ap);
	va_end(ap);
	printf("\n");
	exit(0);
}

static bool report(bool cond, const char *desc, va_list ap)
{
	run++;
	if (!cond)
		failed++;
	printf("%sok %d - ", cond ? "" : "not ", run);
	vprintf(desc, ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

bool ok(bool cond, const char *desc, ...)
{
	va_list ap;
	bool r;

	va_start(ap, desc);
	r = report(cond, desc, ap);
	va_end(ap);
	return r;
}

bool is_int(long long got, long long want, const char *desc, ...)
{
	va_list ap;
	bool r;

	va_start(ap, desc);
	r = report(got == want, desc, ap);
	va_end(ap);
	if (!r)
		diag("got %lld, want %lld", got, want);
	return r;
}

bool is_str(const char *got, const char *want, const char *desc, ...)
{
	va_list ap;
	bool same = (got == NULL && want == NULL) ||
		    (got != NULL && want != NULL && strcmp(got, want) == 0);
	bool r;

	va_start(ap, desc);
	r = report(same, desc, ap);
	va_end(ap);
	if (!r)
		diag("got '%s', want '%s'", got ? got : "(null)", want ? want : "(null)");
	return r;
}

bool is_blob(const void *got, size_t glen, const void *want, size_t wlen, const char *desc, ...)
{
	va_list ap;
	bool r;

	va_start(ap, desc);
	r = report(glen == wlen && (glen == 0 || memcmp(got, want, glen) == 0), desc, ap);
	va_end(ap);
	if (!r)
		diag("blobs differ (got %zu bytes, want %zu)", glen, wlen);
	return r;
}

void skip(const char *why, ...)
{
	va_list ap;

	run++;
	printf("ok %d # SKIP ", run);
	va_start(ap, why);
	vprintf(why, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void bail(const char *fmt, ...)
{
	va_list ap;

	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(1);
}

int exit_status(void)
{
	if (failed || (planned >= 0 && planned != run))
		return 1;
	return 0;
}

int done_testing(void)
{
	if (planned < 0) {
		printf("1..%d\n", run);
		planned = run;
	}
	return exit_status();
}
