/*
 * fuzz-dsn.c - the bounce/backscatter path of the policy: a message
 * from the null sender <> to a remote recipient, header block and body
 * from the input (split at the first empty line as a queue file would
 * be), judged with qs_judge() under the test configuration.
 */
#include "config.h"
#include <string.h>
#include "fuzz.h"
#include "classify.h"
#include "util.h"

static struct qs_config *conf;
static struct qs_judge_ctx *ctx;

static void init(void)
{
	conf = qf_config();
	ctx = qs_judge_ctx_new(conf);
}

static int one(const uint8_t *d, size_t n)
{
	struct qs_msg *mp = qs_msg_new(), m;
	struct qs_judgement j;
	bool body_complete;

	m = *mp;	/* the record owns the arrays qs_msg_new() made */
	m.format = "postfix";
	m.queue = g_strdup("deferred");
	m.id = g_strdup("4C2F31234A");
	m.path = g_strdup("deferred/4/4C2F31234A");
	m.sender = g_strdup("");
	qs_msg_add_rcpt(&m, "victim@remote.example", strlen("victim@remote.example"), false);
	m.rcpts_known = true;
	qs_split_rfc5322(d, n > 2 * 1024 * 1024 ? 2 * 1024 * 1024 : n, m.hdr, &m.hdr_complete, m.body);
	if (m.body->len > 1024 * 1024)
		g_byte_array_set_size(m.body, 1024 * 1024);
	body_complete = n <= 1024 * 1024;
	m.body_complete = body_complete;

	qs_judgement_init(&j);
	qs_judge(ctx, &m, &j);
	QF_CHECK(j.verdict == QS_VERDICT_UNSURE || j.verdict == QS_VERDICT_LEGIT ||
		 j.verdict == QS_VERDICT_RELAY, "judge: verdict in range");
	QF_CHECK(j.reasons && j.reasons->len > 0, "judge: every verdict has a reason");
	QF_CHECK(j.explanation != NULL, "judge: every verdict is explained");
	QF_CHECK(!j.subject || g_utf8_validate(j.subject, -1, NULL), "judge: subject is UTF-8");
	qs_judgement_destroy(&j);
	*mp = m;
	qs_msg_free(&mp);
	return 0;
}

QS_FUZZ_TARGET(dsn, init, one)
