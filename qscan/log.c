/* log.c - stderr messages with severities; see log.h. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include "log.h"

int qs_verbosity = 0;
static GMutex log_lock;

/* emit - write one whole line so that threads never interleave */
static void emit(const char *tag, const char *fmt, va_list ap)
{
	char *text = g_strdup_vprintf(fmt, ap);

	g_mutex_lock(&log_lock);
	fprintf(stderr, "qscan: %s%s\n", tag, text);
	fflush(stderr);
	g_mutex_unlock(&log_lock);
	g_free(text);
}

void qs_debug(const char *fmt, ...)
{
	va_list ap;

	if (qs_verbosity < 2)
		return;
	va_start(ap, fmt);
	emit("debug: ", fmt, ap);
	va_end(ap);
}

void qs_info(const char *fmt, ...)
{
	va_list ap;

	if (qs_verbosity < 1)
		return;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}

void qs_warn(const char *fmt, ...)
{
	va_list ap;

	if (qs_verbosity < 0)
		return;
	va_start(ap, fmt);
	emit("warning: ", fmt, ap);
	va_end(ap);
}

void qs_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("error: ", fmt, ap);
	va_end(ap);
}

void qs_fatal(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("fatal: ", fmt, ap);
	va_end(ap);
	exit(code);
}

void qs_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("panic: ", fmt, ap);
	va_end(ap);
	abort();
}
