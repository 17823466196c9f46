/* policy_int.h - declarations shared by the policy engine's own files. */
#ifndef QS_POLICY_INT_H
#define QS_POLICY_INT_H

#include "classify.h"

/* set j->explanation from the verdict, reasons and facts */
void qs_judgement_explain(const struct qs_msg *m, struct qs_judgement *j);

#endif
