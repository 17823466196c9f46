/*
 * 4202-policy-rules: origin/ours/trusted detection, AUTH, each POLICY
 * rule firing and narrowly not firing, DSN cuts, the .eml loader and
 * judging from several threads, on hand-built messages.
 */
#include "config.h"
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "classify.h"
#include "conf.h"
#include "eml.h"
#include "hdr.h"
#include "qs_limits.h"
#include "tap.h"
#include "testutil.h"
#include "util.h"

static const char *base_conf =
	"[qscan]\n"
	"local_domains = example.com;.example.org\n"
	"local_addresses = 192.0.2.10\n"
	"local_hostnames = mail.example.com\n"
	"trusted_networks = 127.0.0.0/8;::1;10.0.0.0/8\n"
	"%s\n";

static char *tmp;

static struct qs_config *conf(const char *extra)
{
	struct qs_config *c = qs_config_new();
	char *text = g_strdup_printf(base_conf, extra ? extra : "");
	char *path;
	GError *err = NULL;
	static int n;
	char name[32];

	snprintf(name, sizeof name, "c%d.conf", n++);
	tu_write(tmp, name, text, strlen(text), 0644);
	path = g_build_filename(tmp, name, NULL);
	if (qs_config_load(c, path, true, &err) < 0)
		bail("config: %s", err->message);
	g_free(path);
	g_free(text);
	return c;
}

/* msg - sender (NULL unknown), rcpts "a,b" (NULL: unknown), client IP or NULL */
static struct qs_msg *msg(const char *sender, const char *rcpts, const char *client, const char *hdr)
{
	struct qs_msg *m = qs_msg_new();

	m->format = "test";
	m->sender = g_strdup(sender);
	if (rcpts) {
		char **v = g_strsplit(rcpts, ",", -1);
		int i;
		for (i = 0; v[i]; i++)
			if (*v[i])
				qs_msg_add_rcpt(m, v[i], strlen(v[i]), false);
		g_strfreev(v);
	} else {
		m->rcpts_known = false;
	}
	m->client_ip = g_strdup(client);
	g_byte_array_append(m->hdr, (const guint8 *)hdr, strlen(hdr));
	m->hdr_complete = true;
	return m;
}

static struct qs_judgement *J;

static void judge(struct qs_config *c, struct qs_msg *m)
{
	struct qs_judge_ctx *ctx = qs_judge_ctx_new(c);

	qs_judge(ctx, m, J);
	qs_judge_ctx_free(&ctx);
}

static char *reasons(void)
{
	GString *s = g_string_new(qs_verdict_name(J->verdict));
	guint i;

	for (i = 0; i < J->reasons->len; i++)
		g_string_append_printf(s, "%s%s", i ? "," : " ", (char *)g_ptr_array_index(J->reasons, i));
	return g_string_free(s, FALSE);
}

static void expect(struct qs_config *c, struct qs_msg *m, const char *want, const char *what)
{
	char *got;

	judge(c, m);
	got = reasons();
	if (!is_str(got, want, "%s", what)) {
		guint i;
		diag("%s", J->explanation);
		for (i = 0; i < J->trace->len; i++) {
			const struct qs_trace *t = g_ptr_array_index(J->trace, i);
			diag("  %s %s: %s", t->matched ? "+" : "-", t->rule, t->detail ? t->detail : "");
		}
	}
	g_free(got);
	qs_msg_free(&m);
}

static struct qs_hop *hop(guint i)
{
	return i < J->hops->len ? g_ptr_array_index(J->hops, i) : NULL;
}

#define PF(helo, ip, by, with, extra) \
	"Received: from " helo " (unknown [" ip "])\n\t" extra "by " by " (Postfix) with " with \
	" id ABC123; Mon, 23 Nov 2026 10:00:00 +0000\n"
#define SPAMHOP PF("spammer.example", "203.0.113.7", "mail.example.com", "ESMTP", "")

static void test_ours(struct qs_config *c)
{
	struct qs_msg *m;

	/* content filter chain: three hops of ours, origin behind them */
	m = msg("s@spam.example", "v@remote.example", NULL,
		PF("localhost", "127.0.0.1", "mail.example.com", "ESMTP", "")
		"Received: from mail.example.com ([127.0.0.1])\n\tby localhost (amavisd-new, port 10024)\n\twith ESMTP id x1; Mon, 23 Nov 2026 10:00:00 +0000\n"
		SPAMHOP
		PF("forged.example", "198.18.0.1", "mail.example.com", "ESMTPA", "(Authenticated sender: alice)\n\t"));
	judge(c, m);
	is_int(J->hops->len, 4, "four hops parsed");
	ok(hop(0)->ours && hop(1)->ours && hop(2)->ours, "filter chain: hops 1-3 are ours");
	ok(!hop(3)->ours, "a hop below an external sender is not ours, even with our name in `by`");
	ok(hop(0)->trusted && hop(1)->trusted && !hop(2)->trusted, "trusted: loopback yes, external no");
	is_str(J->client_ip, "203.0.113.7", "client: oldest consecutive ours hop");
	is_str(J->origin_ip, "203.0.113.7", "origin: first external sender");
	ok(J->origin_external, "origin is external");
	ok(!J->authenticated, "AUTH claim in a forged hop is ignored");
	is_str(qs_verdict_name(J->verdict), "relay", "... and the message is relayed spam");
	qs_msg_free(&m);

	/* qmail pair: both lines ours */
	m = msg("s@spam.example", "v@remote.example", NULL,
		"Received: (qmail 4000 invoked from network); 23 Nov 2026 10:00:01 -0000\n"
		"Received: from unknown (HELO spammer.example) (203.0.113.8)\n  by mail.example.com with SMTP; 23 Nov 2026 10:00:00 -0000\n");
	judge(c, m);
	ok(hop(0) && hop(1) && hop(0)->ours && hop(1)->ours, "qmail: both lines of the pair are ours");
	is_str(J->client_ip, "203.0.113.8", "qmail: client from the lower line");
	is_str(J->client_helo, "spammer.example", "qmail: HELO from the lower line");
	qs_msg_free(&m);

	/* trusted internal relay: our hop from it, then its hop */
	m = msg("s@spam.example", "v@remote.example", NULL,
		PF("gw.lan", "10.0.0.5", "mail.example.com", "ESMTP", "")
		PF("spammer.example", "203.0.113.9", "gw.lan", "ESMTP", ""));
	judge(c, m);
	ok(hop(0)->ours && !hop(1)->ours, "a trusted relay's own hop is not ours (its `by` is not our name)");
	ok(hop(0)->trusted, "the trusted relay is trusted");
	is_str(J->origin_ip, "203.0.113.9", "counted origin walks through the trusted relay");
	ok(J->origin_trusted, "but the POLICY origin (the client) is trusted");
	is_str(qs_verdict_name(J->verdict), "legit", "trusted-network");
	qs_msg_free(&m);

	/* local program: nothing below it is ours */
	m = msg("s@spam.example", "v@remote.example", NULL,
		"Received: by mail.example.com (Postfix, from userid 33)\n\tid 1; Mon, 23 Nov 2026 10:00:00 +0000\n"
		PF("x", "203.0.113.10", "mail.example.com", "ESMTPA", "(Authenticated sender: webmaster)\n\t"));
	judge(c, m);
	ok(hop(0)->ours && !hop(1)->ours, "below a local submission line nothing is ours");
	ok(J->local_submission && !J->authenticated, "local submission; the forged AUTH below is ignored");
	qs_msg_free(&m);

	/* a local program re-sending mail it fetched elsewhere over loopback */
	m = msg("x@elsewhere.example", "v@remote.example", "127.0.0.1",
		PF("localhost", "127.0.0.1", "mail.example.com", "ESMTP", "")
		PF("pc", "198.18.0.3", "mx.provider.example", "ESMTPSA", "(Authenticated sender: admin)\n\t"));
	judge(c, m);
	ok(hop(0)->ours && !hop(1)->ours, "a foreign line behind loopback is not ours");
	ok(!J->authenticated, "... and its AUTH claim is ignored");
	is_str(qs_verdict_name(J->verdict), "legit", "... trusted-network, not auth-abuse");
	qs_msg_free(&m);

	/* internal hand-over without an IP, then the real client */
	m = msg("s@spam.example", "v@remote.example", NULL,
		"Received: from mail.example.com by mail.example.com (IceWarp 12.0) with SMTP id 2; Mon, 23 Nov 2026 10:00:01 +0000\n"
		PF("spammer.example", "203.0.113.44", "mail.example.com", "ESMTP", "")
		PF("forged", "198.18.0.2", "mail.example.com", "ESMTPA", "(Authenticated sender: alice)\n\t"));
	judge(c, m);
	ok(hop(0)->ours && hop(1) && hop(1)->ours && !hop(2)->ours, "internal hand-over without IP: next hop ours, not beyond");
	is_str(J->client_ip, "203.0.113.44", "... client behind it");
	qs_msg_free(&m);

	/* metadata wins over the chain */
	m = msg("s@spam.example", "v@remote.example", "10.1.1.1", SPAMHOP);
	judge(c, m);
	is_str(J->client_ip, "10.1.1.1", "client from queue metadata");
	ok(J->origin_trusted, "metadata client trusted");
	qs_msg_free(&m);

	/* IPv6 client in the chain */
	m = msg("s@spam.example", "v@remote.example", NULL,
		PF("v6", "IPv6:2001:db8:beef::7", "mail.example.com", "ESMTP", ""));
	judge(c, m);
	is_str(J->origin_ip, "2001:db8:beef::7", "IPv6 origin normalised");
	qs_msg_free(&m);
}

static void test_auth(struct qs_config *c, struct qs_config *open_users)
{
	/* authenticated hop, no user anywhere */
	expect(c, msg("x@example.com", "v@remote.example", NULL,
		      PF("pc", "203.0.113.20", "mail.example.com", "ESMTPSA", "")),
	       "unsure auth-unlisted", "user unknown + trusted_users set -> auth-unlisted");
	expect(open_users, msg("x@example.com", "v@remote.example", NULL,
			       PF("pc", "203.0.113.20", "mail.example.com", "ESMTPSA", "")),
	       "legit authenticated", "user unknown + trusted_users empty -> authenticated");
	expect(open_users, msg("x@example.com", "v@remote.example", NULL,
			       "Received: from [203.0.113.21] by mail.example.com (MDaemon PRO v12.5.6)\n\twith ESMTPA id md5000001.msg; Mon, 23 Nov 2026 10:00:00 +0000\n"
			       "X-Authenticated-Sender: MDaemon@example.com\n"),
	       "relay auth-abuse", "MDaemon@domain from X-Authenticated-Sender is abused");
	expect(open_users, msg("x@example.com", "v@remote.example", NULL,
			       PF("pc", "203.0.113.22", "mail.example.com", "ESMTPA", "(Authenticated sender: Info)\n\t")),
	       "relay auth-abuse", "abused name, any case");
	expect(open_users, msg("x@example.com", "v@remote.example", NULL,
			       PF("pc", "203.0.113.23", "mail.example.com", "ESMTPA", "(Authenticated sender: information)\n\t")),
	       "legit authenticated", "a longer name is not the abused one");
	expect(c, msg("x@example.com", "v@remote.example", NULL,
		      PF("pc", "203.0.113.24", "mail.example.com", "ESMTPA", "(Authenticated sender: bob@example.com)\n\t")),
	       "legit authenticated", "trusted_users entry with a domain matches exactly");
	expect(c, msg("x@example.com", "v@remote.example", NULL,
		      PF("pc", "203.0.113.25", "mail.example.com", "ESMTPA", "(Authenticated sender: bob@evil.example)\n\t")),
	       "unsure auth-unlisted", "... and not another domain");
	expect(c, msg("x@example.com", "v@remote.example", NULL,
		      PF("pc", "203.0.113.26", "mail.example.com", "ESMTPA", "(Authenticated sender: Alice@Example.COM)\n\t")),
	       "legit authenticated", "trusted_users entry without a domain matches any domain");
	expect(c, msg("x@example.com", "v@remote.example", NULL,
		      "Received: from [203.0.113.27] ([203.0.113.27]) by mail.example.com (IceWarp 12.0) with ASMTP id 1\n\tfor <v@remote.example>; Mon, 23 Nov 2026 10:00:00 +0000\n"),
	       "unsure auth-unlisted", "IceWarp ASMTP counts as authenticated");
}

static void test_rules(struct qs_config *c, struct qs_config *strict, struct qs_config *rules,
		       struct qs_config *open_users)
{
	struct qs_msg *m;

	m = msg("s@spam.example", "v1@remote.example,v2@remote.example,v3@remote.example", "203.0.113.7", SPAMHOP);
	judge(c, m);
	is_str(J->explanation, "relay: open-relay - sender s@spam.example, 3 recipients at remote.example, from 203.0.113.7",
	       "explanation line");
	qs_msg_free(&m);
	expect(c, msg("s@spam.example", "v@remote.example", "203.0.113.7", SPAMHOP), "relay open-relay", "open-relay");
	{
		struct qs_config *none = qs_config_new();	/* no local_domains at all */
		expect(none, msg("s@spam.example", "v@remote.example", "203.0.113.7", SPAMHOP),
		       "unsure open-relay", "no local_domains known: never relay on \"external\" alone");
		qs_config_free(&none);
	}
	expect(c, msg("s@spam.example", "v@remote.example,u@example.com", "203.0.113.7", SPAMHOP),
	       "legit local-recipient", "one local recipient spares it");
	expect(c, msg("s@spam.example", "u@sub.example.org", "203.0.113.7", SPAMHOP),
	       "legit local-recipient", ".example.org covers subdomains");
	expect(c, msg("s@spam.example", "root@localhost", "203.0.113.7", SPAMHOP),
	       "legit local-recipient", "localhost is always this host");
	expect(c, msg("s@spam.example", "root@Mail.Example.COM", "203.0.113.7", SPAMHOP),
	       "legit local-recipient", "so is a name of local_hostnames");
	expect(c, msg("s@spam.example", "v%remote.example@localhost", "203.0.113.7", SPAMHOP),
	       "relay open-relay", "percent hack through localhost is still external");
	expect(c, msg("s@spam.example", "v%remote.example@example.com", "203.0.113.7", SPAMHOP),
	       "relay open-relay", "percent hack is external");
	expect(c, msg("s@spam.example", "\"unbalanced@example.com", "203.0.113.7", SPAMHOP),
	       "unsure no-rule", "an undecodable recipient never makes it relay");
	expect(c, msg("s@spam.example", "", "203.0.113.7", SPAMHOP),
	       "unsure no-rule", "no pending recipient: external-only rules cannot fire");
	expect(c, msg("ceo@example.com", "v@remote.example", "203.0.113.7", SPAMHOP),
	       "unsure forged-local-sender", "forged local sender");
	expect(strict, msg("ceo@example.com", "v@remote.example", "203.0.113.7", SPAMHOP),
	       "relay forged-local-sender", "forged local sender, strict");
	expect(strict, msg("ceo@example.com", "v@remote.example", "10.2.3.4", PF("pc", "10.2.3.4", "mail.example.com", "ESMTP", "")),
	       "legit trusted-network", "local sender from the LAN");
	expect(c, msg("s@spam.example", "v@remote.example", NULL, ""),
	       "unsure no-rule", "no client known at all: not open-relay");
	m = msg("s@spam.example", "v@remote.example", NULL, SPAMHOP);
	m->local_submission = true;
	expect(c, m, "legit local-submission", "metadata local submission");
	expect(c, msg("f@elsewhere.example", "me@gmail.example", "203.0.113.30",
		      "Received: from mx.elsewhere.example (mx.elsewhere.example [203.0.113.30])\n\tby mail.example.com (Postfix) with ESMTP id Q\n\tfor <alias@example.com>; Mon, 23 Nov 2026 10:00:00 +0000\n"),
	       "legit forwarded", "alias forwarding outside");
	m = msg("f@elsewhere.example", "me@gmail.example,other@gmail.example", "203.0.113.30", SPAMHOP);
	((struct qs_rcpt *)g_ptr_array_index(m->rcpts, 0))->orig = g_strdup("alias@example.com");
	expect(c, m, "legit forwarded", "queue's original recipient (alias) is local");
	m = msg("f@elsewhere.example", "me@gmail.example", "203.0.113.30", SPAMHOP);
	((struct qs_rcpt *)g_ptr_array_index(m->rcpts, 0))->orig = g_strdup("me@gmail.example");
	expect(c, m, "relay open-relay", "original recipient external: not forwarded");
	expect(open_users, msg("x@example.com", "v@remote.example", NULL,
			       "Received: from [203.0.113.28] (port=5100 helo=pc)\n\tby mail.example.com with esmtpsa (Exim 4.96)\n\tid 1t-1; Mon, 23 Nov 2026 10:00:00 +0000\n"
			       "X-Authenticated-Sender: mail.example.com: webmaster@example.com\n"),
	       "relay auth-abuse", "cPanel X-Authenticated-Sender \"host: user\"");
	expect(open_users, msg("x@example.com", "v@remote.example", NULL,
			       "Received: from [203.0.113.29] (port=5100 helo=pc)\n\tby mail.example.com with esmtpsa (Exim 4.96)\n\tid 1t-1; Mon, 23 Nov 2026 10:00:00 +0000\n"
			       "X-Get-Message-Sender-Via: mail.example.com: authenticated_id: admin@example.com\n"),
	       "relay auth-abuse", "cPanel authenticated_id");
	expect(c, msg("", "s@spam.example", "203.0.113.31", PF("mx", "203.0.113.31", "mail.example.com", "ESMTP", "")),
	       "unsure bounce", "null sender without an original");
	expect(c, msg("", "u@example.com", "203.0.113.31", PF("mx", "203.0.113.31", "mail.example.com", "ESMTP", "")),
	       "legit local-recipient", "null sender to a local user");
	m = msg("s@spam.example", "v@remote.example", "203.0.113.7", SPAMHOP);
	m->envelope_suspect = true;
	expect(c, m, "unsure open-relay", "suspect envelope: relay downgraded, reason kept");
	m = msg("s@spam.example", "v@remote.example", "203.0.113.7", SPAMHOP);
	m->hdr_complete = false;
	expect(c, m, "unsure open-relay", "cut header block: relay downgraded");
	m = msg("s@spam.example", "v@remote.example", "203.0.113.7", SPAMHOP);
	qs_msg_fail(m, QS_ERR_UNREADABLE, "gone");
	expect(c, m, "unsure unreadable", "unreadable decides alone");
	m = msg("s@spam.example", "u@example.com", "203.0.113.7", SPAMHOP);
	qs_msg_fail(m, QS_ERR_MALFORMED, "bad record");
	expect(c, m, "unsure malformed", "malformed decides alone");
	/* unknown recipients: our hop's `for` */
	m = msg("s@spam.example", NULL, NULL,
		"Received: from x (unknown [203.0.113.7])\n\tby mail.example.com (Postfix) with ESMTP id Q\n\tfor <u@example.com>; Mon, 23 Nov 2026 10:00:00 +0000\n");
	judge(c, m);
	ok(J->rcpts_from_received && J->dests->len == 1, "recipients from our hop's `for`");
	is_str(qs_verdict_name(J->verdict), "legit", "... which is local");
	qs_msg_free(&m);

	/* whitelist and rules */
	expect(rules, msg("boss@example.net", "v@remote.example", "203.0.113.7", SPAMHOP),
	       "legit whitelist", "whitelisted sender");
	expect(rules, msg("s@spam.example", "v@x.partner.example", "203.0.113.7", SPAMHOP),
	       "legit whitelist", "whitelisted subdomain of a recipient domain");
	expect(rules, msg("s@spam.example", "v@partner.example", "203.0.113.7", SPAMHOP),
	       "relay open-relay", ".partner.example does not cover partner.example itself");
	expect(rules, msg("s@spam.example", "v@remote.example", "198.51.100.3", PF("p", "198.51.100.3", "mail.example.com", "ESMTP", "")),
	       "legit whitelist", "whitelisted network");
	expect(rules, msg("s@spam.example", "u@example.com", "203.0.113.7", SPAMHOP "Subject: =?utf-8?q?V=C3=AFagra?=\n"),
	       "relay rule:pills", "purge rule on the decoded subject beats local-recipient");
	expect(rules, msg("s@spam.example", "v@remote.example", "203.0.113.7", SPAMHOP "Subject: Viagra\nX-Mailer: Ours 1\n"),
	       "legit rule:ours", "spare rule beats purge rule");
	expect(rules, msg("s@spam.example", "u@example.com", "127.0.0.1",
			  PF("localhost", "127.0.0.1", "mail.example.com", "ESMTP", "")
			  PF("bad", "203.0.113.66", "mail.example.com", "ESMTP", "")),
	       "relay rule:badnet", "client rule sees the real client behind a content filter");
	expect(rules, msg("s@spam.example", "v@remote.example", "203.0.113.7", SPAMHOP "X-Mailer: NotOurs 1\n"),
	       "relay open-relay", "spare rule anchored: no match");
}

/* a Postfix bounce of relayed spam, written by our bounce daemon */
static const char *bounce_hdr =
	"Received: by mail.example.com (Postfix)\n\tid B1; Mon, 23 Nov 2026 10:09:00 +0000\n"
	"From: MAILER-DAEMON@mail.example.com\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/report; report-type=delivery-status; boundary=\"BB\"\n";
static const char *bounce_body =
	"--BB\nContent-Type: text/plain\n\nsorry\n\n"
	"--BB\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mail.example.com\n\n"
	"Final-Recipient: rfc822; v@remote.example\nAction: failed\n\n"
	"--BB\nContent-Type: message/rfc822\n\n"
	"Received: from spammer.example (unknown [203.0.113.7])\n\tby mail.example.com (Postfix) with ESMTP id S1;\n\tMon, 23 Nov 2026 10:00:00 +0000\n"
	"From: Pills <s@spam.example>\nTo: v@remote.example\nSubject: pills\n\nbuy\n--BB--\n";

static void test_dsn(struct qs_config *c)
{
	struct qs_msg *m;
	const char *cut;

	m = msg("", "s@spam.example", NULL, bounce_hdr);
	g_byte_array_append(m->body, (const guint8 *)bounce_body, strlen(bounce_body));
	m->body_complete = true;
	judge(c, m);
	ok(J->original != NULL, "the carried original was judged");
	if (J->original) {
		is_str(qs_verdict_name(J->original->verdict), "relay", "original: relay");
		is_int(J->original->dests->len, 1, "original recipients from Final-Recipient");
	}
	qs_msg_free(&m);
	m = msg("", "s@spam.example", NULL, bounce_hdr);
	g_byte_array_append(m->body, (const guint8 *)bounce_body, strlen(bounce_body));
	m->body_complete = true;
	expect(c, m, "relay backscatter", "our own bounce of relayed spam");

	/* the same cut inside the embedded header block */
	cut = strstr(bounce_body, "From: Pills");
	m = msg("", "s@spam.example", NULL, bounce_hdr);
	g_byte_array_append(m->body, (const guint8 *)bounce_body, (guint)(cut - bounce_body + 8));
	m->body_complete = false;
	expect(c, m, "unsure bounce", "body cut inside the embedded headers: never backscatter");
	/* cut after the embedded header block: still judged */
	cut = strstr(bounce_body, "buy\n");
	m = msg("", "s@spam.example", NULL, bounce_hdr);
	g_byte_array_append(m->body, (const guint8 *)bounce_body, (guint)(cut - bounce_body));
	m->body_complete = false;
	expect(c, m, "relay backscatter", "body cut after the embedded headers");
	/* a double bounce: the original is itself a bounce, not opened further */
	m = msg("", "s@spam.example", NULL, bounce_hdr);
	{
		GString *b = g_string_new(bounce_body);
		char *p = strstr(b->str, "From: Pills <s@spam.example>");
		gsize at = (gsize)(p - b->str);
		g_string_insert(b, (gssize)at, "Return-Path: <>\n");
		g_byte_array_append(m->body, (const guint8 *)b->str, b->len);
		g_string_free(b, TRUE);
	}
	m->body_complete = true;
	judge(c, m);
	ok(J->original && J->original->original == NULL, "double bounce: one level only");
	is_str(qs_verdict_name(J->verdict), "unsure", "double bounce: unsure");
	qs_msg_free(&m);
	/* a bounce from outside claiming our Reporting-MTA, original not ours */
	m = msg("", "s@spam.example", "203.0.113.60", PF("b", "203.0.113.60", "mail.example.com", "ESMTP", ""));
	{
		char *body = g_strdup(bounce_body), *p = strstr(body, "by mail.example.com (Postfix) with ESMTP id S1");
		memcpy(p, "by mx.other.example", strlen("by mx.other.example"));
		memset(p + strlen("by mx.other.example"), ' ', strlen(" (Postfix)"));
		g_byte_array_append(m->body, (const guint8 *)body, strlen(body));
		g_free(body);
	}
	m->body_complete = true;
	expect(c, m, "unsure bounce", "forged Reporting-MTA from outside: original never passed here");
}

/* bounce_with - our bounce with the original carried as `part` text */
static struct qs_msg *bounce_with(const char *ctype, bool mime)
{
	struct qs_msg *m = msg("", "s@spam.example", NULL, mime ? bounce_hdr :
			       "Received: by mail.example.com (Postfix)\n\tid B1; Mon, 23 Nov 2026 10:09:00 +0000\n");
	GString *b = g_string_new(NULL);
	const char *orig = strstr(bounce_body, "Received: from spammer");

	if (mime) {
		g_string_append(b, "--BB\nContent-Type: message/global-delivery-status\n\n"
				"Reporting-MTA: dns; mail.example.com\n\nFinal-Recipient: rfc822; v@remote.example\n\n");
		g_string_append_printf(b, "--BB\nContent-Type: %s\n\n", ctype);
		g_string_append_len(b, orig, strstr(orig, "--BB--") - orig);
		g_string_append(b, "--BB--\n");
	} else {
		g_string_append(b, "This message was created automatically by mail delivery software.\n\n"
				"A message that you sent could not be delivered to one or more of its\nrecipients.\n\n"
				"  v@remote.example\n    host mx.remote.example: 550 no such user\n\n"
				"------ This is a copy of the message, including all the headers. ------\n\n");
		g_string_append(b, orig);
	}
	g_byte_array_append(m->body, (const guint8 *)b->str, b->len);
	m->body_complete = true;
	g_string_free(b, TRUE);
	return m;
}

static void test_dsn_kinds(struct qs_config *c)
{
	struct qs_msg *m = bounce_with("message/global", true);

	judge(c, m);
	ok(J->original && J->original->dests->len == 1, "message/global original, recipient from global-delivery-status");
	is_str(qs_verdict_name(J->verdict), "relay", "... backscatter");
	qs_msg_free(&m);
	m = bounce_with("text/rfc822-headers", true);
	expect(c, m, "relay backscatter", "text/rfc822-headers original");
	/* plain-text bounce: no recipients named, so the original's To: is used */
	m = bounce_with(NULL, false);
	judge(c, m);
	ok(J->original != NULL, "plain-text (Exim-style) bounce: original found");
	if (J->original)
		is_str(((struct qs_dest *)g_ptr_array_index(J->original->dests, 0))->addr, "v@remote.example",
		       "original recipient from its To:");
	qs_msg_free(&m);
}

/* a bounce nesting 20000 multiparts: no deep recursion, original still found */
static void test_dsn_deep(struct qs_config *c)
{
	GString *b = g_string_new(NULL);
	const char *orig = strstr(bounce_body, "--BB\nContent-Type: message/rfc822");
	struct qs_msg *m;
	int i;

	for (i = 0; i < 20000; i++)
		g_string_append_printf(b, "--B%d\nContent-Type: multipart/mixed; boundary=\"B%d\"\n\n", i, i + 1);
	g_string_append_printf(b, "--B20000\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; v@remote.example\n\n");
	g_string_append(b, orig + 2);
	m = msg("", "s@spam.example", NULL, bounce_hdr);
	g_byte_array_set_size(m->hdr, 0);
	g_byte_array_append(m->hdr, (const guint8 *)"Received: by mail.example.com (Postfix)\n\tid B1; Mon, 23 Nov 2026 10:09:00 +0000\n"
			    "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"B0\"\n", 130);
	g_byte_array_append(m->body, (const guint8 *)b->str, b->len);
	m->body_complete = true;
	g_string_free(b, TRUE);
	judge(c, m);
	ok(J->original != NULL, "deeply nested bounce: original found without recursing");
	is_str(qs_verdict_name(J->verdict), "relay", "... it passed here and is relay: backscatter");
	qs_msg_free(&m);
}

/* regression inputs (fuzzing): header block + body as one file, judged
 * as a null-sender message to a remote recipient; must not crash */
static void test_dsn_regress(struct qs_config *c)
{
	const char *const files[] = { "policy-dsn/empty-delivery-status.bin", NULL };
	int i;

	for (i = 0; files[i]; i++) {
		char *path = tu_data(files[i]), *data = NULL;
		gsize len = 0;
		struct qs_msg *m;
		if (!g_file_get_contents(path, &data, &len, NULL))
			bail("cannot read %s", path);
		m = msg("", "victim@remote.example", NULL, "");
		qs_split_rfc5322((const guint8 *)data, len, m->hdr, &m->hdr_complete, m->body);
		m->body_complete = true;
		judge(c, m);
		ok(J->verdict != QS_VERDICT_RELAY || J->original != NULL, "fuzz regression %s judged", files[i]);
		qs_msg_free(&m);
		g_free(data);
		g_free(path);
	}
}

static void test_eml(void)
{
	struct qs_msg *m = qs_msg_new();
	const char *text =
		"X-Qscan-Sender: <a@b.example>\n"
		"X-Qscan-Rcpt: c@d.example\n"
		"X-Qscan-Rcpt: <e@f.example>\n"
		"X-Qscan-Rcpt-Done: <g@h.example>\n"
		"X-Qscan-Client: [IPv6:2001:DB8::5] helo=h.example name=n.example\n"
		"X-Qscan-Auth: alice\n"
		"X-Qscan-Arrival: 2026-11-23T10:00:00Z\n"
		"Subject: hi\n"
		"X-Qscan-Sender: <late@x.example>\n"
		"\nbody\n";
	char *p;

	tu_write(tmp, "a.eml", text, strlen(text), 0644);
	p = g_build_filename(tmp, "a.eml", NULL);
	is_int(qs_eml_load(p, m, true), 0, "eml loads");
	is_str(m->sender, "a@b.example", "pseudo sender");
	is_int(m->rcpts->len, 3, "three recipients");
	is_int(qs_msg_pending(m), 2, "two pending");
	ok(m->rcpts_known, "recipients known");
	is_str(m->client_ip, "2001:db8::5", "client IP literal normalised");
	is_str(m->client_helo, "h.example", "client HELO");
	is_str(m->client_name, "n.example", "client name");
	is_str(m->auth_user, "alice", "auth user");
	is_int(m->arrival, 1795428000, "arrival");
	ok(m->hdr->len > 0 && memcmp(m->hdr->data, "Subject: hi\n", 12) == 0, "pseudo headers removed");
	ok(g_strstr_len((const char *)m->hdr->data, m->hdr->len, "late@x.example") != NULL,
	   "a pseudo header after a real field stays a plain header");
	ok(m->body->len == 0, "body not kept for a normal sender");
	qs_msg_clear(m);
	is_int(qs_eml_load(p, m, false), 0, "eml loads without envelope headers");
	ok(m->sender == NULL && !m->rcpts_known, "plain file: envelope unknown");
	g_free(p);
	qs_msg_clear(m);

	p = g_build_filename(tmp, "link.eml", NULL);
	if (symlink("a.eml", p) == 0) {
		is_int(qs_eml_load(p, m, true), -1, "symlink refused");
		is_int(m->err, QS_ERR_UNREADABLE, "... as unreadable");
		qs_msg_clear(m);
	}
	g_free(p);
	p = g_build_filename(tmp, "fifo.eml", NULL);
	if (mkfifo(p, 0600) == 0) {
		is_int(qs_eml_load(p, m, true), -1, "FIFO refused without blocking");
		qs_msg_clear(m);
	}
	g_free(p);
	tu_write(tmp, "bin.eml", "\x01\x02 junk\n\nx", 10, 0644);
	p = g_build_filename(tmp, "bin.eml", NULL);
	qs_eml_load(p, m, true);
	is_int(m->err, QS_ERR_MALFORMED, "no header field: malformed");
	g_free(p);
	qs_msg_clear(m);
	{	/* a header block over the cap */
		GString *big = g_string_new("Subject: big\n");
		while (big->len <= QS_MAX_HEADER_BLOCK + 10)
			g_string_append(big, "X-Filler: 0123456789012345678901234567890123456789\n");
		g_string_append(big, "\nbody\n");
		tu_write(tmp, "big.eml", big->str, big->len, 0644);
		g_string_free(big, TRUE);
		p = g_build_filename(tmp, "big.eml", NULL);
		qs_eml_load(p, m, true);
		is_int(m->err, QS_ERR_MALFORMED, "header block over the cap: malformed");
		g_free(p);
		qs_msg_clear(m);
	}
	tu_write(tmp, "nul.eml", "Subject: a\0b\n\nx", 15, 0644);
	p = g_build_filename(tmp, "nul.eml", NULL);
	qs_eml_load(p, m, true);
	is_int(m->err, QS_ERR_MALFORMED, "NUL in headers: malformed");
	g_free(p);
	qs_msg_free(&m);
}

struct thr {
	struct qs_config *c;
	int relays;
};

static gpointer worker(gpointer data)
{
	struct thr *t = data;
	struct qs_judge_ctx *ctx = qs_judge_ctx_new(t->c);
	struct qs_judgement j;
	int i;

	qs_judgement_init(&j);
	for (i = 0; i < 300; i++) {
		struct qs_msg *m = msg(i % 2 ? "" : "s@spam.example", "s@spam.example", NULL, bounce_hdr);
		if (i % 2) {
			g_byte_array_append(m->body, (const guint8 *)bounce_body, strlen(bounce_body));
			m->body_complete = true;
		} else {
			g_byte_array_set_size(m->hdr, 0);
			g_byte_array_append(m->hdr, (const guint8 *)SPAMHOP "Subject: Viagra\n", strlen(SPAMHOP "Subject: Viagra\n"));
		}
		qs_judge(ctx, m, &j);
		if (j.verdict == QS_VERDICT_RELAY)
			t->relays++;
		qs_msg_free(&m);
	}
	qs_judgement_destroy(&j);
	qs_judge_ctx_free(&ctx);
	return NULL;
}

static void test_threads(struct qs_config *c)
{
	struct thr t[4];
	GThread *th[4];
	int i;

	for (i = 0; i < 4; i++) {
		t[i].c = c;
		t[i].relays = 0;
		th[i] = g_thread_new("judge", worker, &t[i]);
	}
	for (i = 0; i < 4; i++) {
		g_thread_join(th[i]);
		is_int(t[i].relays, 300, "thread %d: every message judged relay (shared config, own ctx)", i);
	}
}

int main(void)
{
	struct qs_config *c, *open_users, *strict, *rules;
	struct qs_judgement j;

	qs_hdr_global_init();
	tmp = tu_tmpdir();
	c = conf("trusted_users = alice;bob@example.com");
	open_users = conf("");
	strict = conf("strict = true");
	rules = conf("[whitelist]\nsenders = boss@example.net\ndomains = .partner.example\nnetworks = 198.51.100.0/24\n"
		     "[rule pills]\ntarget = subject\npattern = (?i)v.agra\neffect = purge\n"
		     "[rule ours]\ntarget = header:X-Mailer\npattern = ^Ours\neffect = spare\n"
		     "[rule badnet]\ntarget = client\npattern = ^203\\.0\\.113\\.66$\neffect = purge\n");
	qs_judgement_init(&j);
	J = &j;
	test_ours(c);
	test_auth(c, open_users);
	test_rules(c, strict, rules, open_users);
	test_dsn(c);
	test_dsn_kinds(c);
	test_dsn_deep(c);
	test_dsn_regress(c);
	test_eml();
	test_threads(rules);
	qs_judgement_destroy(&j);
	qs_config_free(&c);
	qs_config_free(&open_users);
	qs_config_free(&strict);
	qs_config_free(&rules);
	tu_cleanup();
	return done_testing();
}
