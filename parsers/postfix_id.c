/* postfix_id.c - Postfix queue IDs and queue names (formats §1.1, §1.2). */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include "postfix_int.h"

const char *const pf_queues[] = {
	"maildrop", "incoming", "active", "deferred", "hold", "corrupt", NULL,
};

const char *const pf_logdirs[] = { "defer", "bounce", "trace", NULL };

/* safe_ultostr()'s 52 digits: 0-9 and the consonants, vowels removed */
static const char b52[] = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";

bool pf_is_queue_name(const char *name)
{
	int i;

	for (i = 0; pf_queues[i]; i++)
		if (strcmp(pf_queues[i], name) == 0)
			return true;
	return false;
}

bool pf_name_ok(const char *name)
{
	size_t n;

	for (n = 0; name[n]; n++)
		if (!g_ascii_isalnum(name[n]) && name[n] != '_')
			return false;
	return n > 0 && n <= 255;
}

/* the place of c in b52[] or -1, by table (asked for every character
 * of every ID the walk and the loader look at) */
static int b52_value(char c)
{
	static signed char value[256];
	static gsize done;

	if (g_once_init_enter(&done)) {
		int i;
		memset(value, -1, sizeof value);
		for (i = 0; b52[i]; i++)
			value[(unsigned char)b52[i]] = (signed char)i;
		g_once_init_leave(&done, 1);
	}
	return value[(unsigned char)c];
}

/* position of the separator 'z' of a long ID, or -1 */
static int long_id_sep(const char *id, size_t n)
{
	size_t i;
	int z = -1;

	for (i = 0; i < n; i++) {
		if (b52_value(id[i]) < 0)
			return -1;
		if (id[i] == 'z')
			z = (int)i;
	}
	/* >= 6 digits of seconds + 4 of microseconds, then >= 1 of inode */
	if (z < 10 || (size_t)z + 1 >= n)
		return -1;
	return z;
}

bool pf_id_ok(const char *id)
{
	size_t i, n = strlen(id);
	bool hex = n >= 6 && n <= 5 + 16;

	for (i = 0; hex && i < n; i++)
		if (!g_ascii_isdigit(id[i]) && !(id[i] >= 'A' && id[i] <= 'F'))
			hex = false;
	if (hex)
		return true;
	return n <= 255 && long_id_sep(id, n) > 0;
}

void pf_id_hash_chars(const char *id, char *buf, size_t size)
{
	size_t n = strlen(id);
	int z = long_id_sep(id, n);
	unsigned long usec = 0;
	int i;

	if (z < 0 || size < 8) {
		g_strlcpy(buf, id, size);
		return;
	}
	for (i = z - 4; i < z; i++)
		usec = usec * 52 + (unsigned long)b52_value(id[i]);
	snprintf(buf, size, "%05lX", usec);
}
