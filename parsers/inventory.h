/*
 * inventory.h - `qscan inventory`: what is in a queue directory.
 *
 * Detects the format (or takes the forced one) and says why; counts the
 * files below the root by name pattern (md*.msg, *.rte, <digits>,
 * *.tmp, <18-digit id>.*, hex queue ID, *.<ext> ...) with total sizes,
 * a few sample names and the first bytes of one sample per pattern;
 * walks the queue with the format's reader and lists the files that
 * belong to no message. All output is bounded (samples and patterns
 * are capped) and escaped. It is the discovery tool for layouts that
 * are not documented (IceWarp).
 */
#ifndef QS_INVENTORY_H
#define QS_INVENTORY_H

#include <glib.h>
#include <stdbool.h>
#include "parser.h"

#define QS_INV_SAMPLES 5	/* sample names per pattern */
#define QS_INV_UNPLACED 10	/* sample names of files no message owns */
#define QS_INV_PATTERNS 40	/* distinct patterns before "other" */
#define QS_INV_HEAD 96		/* bytes shown of one sample per pattern */
#define QS_INV_ERRORS 5		/* walk errors quoted */

/* human text, or one JSON object ({"type":"inventory",...}) when json;
 * 0 ok (also when no format fits: then "format" is unknown/null and
 * `why` explains), -1 when the root cannot be read (*err set) */
int qs_inventory(int rootfd, const char *root, const struct qs_parser *forced,
		 GString *out, bool json, GError **err);

#endif
