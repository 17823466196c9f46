/* explain_out.h - printing `qscan explain` as text or one JSON object. */
#ifndef QS_EXPLAIN_OUT_H
#define QS_EXPLAIN_OUT_H

#include "classify.h"
#include "msg.h"

void explain_text(const struct qs_msg *m, const struct qs_judgement *j);
void explain_json(const struct qs_msg *m, const struct qs_judgement *j);
/* the JSON of one judgement (without envelope), for nesting */
void explain_json_judgement(GString *out, const struct qs_judgement *j);

#endif
