/* progress.c - progress line on stderr; see progress.h. */
#include "config.h"
#include <stdio.h>
#include <glib.h>
#include "progress.h"

struct qs_progress {
	bool enabled, drawn;
	unsigned long long n, total;
	gint64 start, last;
};

struct qs_progress *qs_progress_new(bool enabled)
{
	struct qs_progress *p = g_new0(struct qs_progress, 1);

	p->enabled = enabled;
	p->start = p->last = g_get_monotonic_time();
	return p;
}

void qs_progress_set_total(struct qs_progress *p, unsigned long long total)
{
	p->total += total;	/* several queue directories add up */
}

bool qs_progress_enabled(const struct qs_progress *p)
{
	return p && p->enabled;
}

void qs_progress_tick(struct qs_progress *p)
{
	gint64 now;
	double secs, rate;

	p->n++;
	if (!p->enabled || (p->n & 255) != 0)
		return;
	now = g_get_monotonic_time();
	/* nothing for the first second; then at most 5 updates a second */
	if (now - p->start < G_USEC_PER_SEC || now - p->last < G_USEC_PER_SEC / 5)
		return;
	p->last = now;
	secs = (double)(now - p->start) / 1e6;
	rate = (double)p->n / secs;
	if (p->total > p->n)
		fprintf(stderr, "\rqscan: %llu/%llu messages, %.0f/s, ETA %.0f s   ", p->n, p->total, rate,
			(double)(p->total - p->n) / rate);
	else
		fprintf(stderr, "\rqscan: %llu messages, %.0f/s   ", p->n, rate);
	p->drawn = true;
}

void qs_progress_free(struct qs_progress **pp)
{
	struct qs_progress *p = *pp;

	if (p && p->drawn)
		fprintf(stderr, "\r\033[K");
	g_free(p);
	*pp = NULL;
}
