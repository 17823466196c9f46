#!/usr/bin/env python3
# writes t/data/corpus/*.eml and expected.txt (kept in /tmp; the corpus files are the source of truth)
import os, sys
D = sys.argv[1]
cases = []
DATE = "Mon, 23 Nov 2026 10:%02d:00 +0000"
n = [0]
def date(i=0): return DATE % (i % 60)

def env(sender=None, rcpts=(), done=(), client=None, auth=None, local=False, arrival=None, suspect=False):
    h = []
    if sender is not None: h.append("X-Qscan-Sender: <%s>" % sender)
    for r in rcpts: h.append("X-Qscan-Rcpt: <%s>" % r)
    for r in done: h.append("X-Qscan-Rcpt-Done: <%s>" % r)
    if client: h.append("X-Qscan-Client: %s" % client)
    if auth: h.append("X-Qscan-Auth: %s" % auth)
    if local: h.append("X-Qscan-Local: yes")
    if arrival: h.append("X-Qscan-Arrival: %s" % arrival)
    if suspect: h.append("X-Qscan-Suspect: yes")
    return h

def pf(helo, ip, rdns="unknown", by="mail.example.com", with_="ESMTP", qid="3F2E1D0C9B", for_=None, auth=None, i=0):
    s = "Received: from %s (%s [%s])\n" % (helo, rdns, ip)
    if auth: s += "\t(Authenticated sender: %s)\n" % auth
    s += "\tby %s (Postfix) with %s id %s" % (by, with_, qid)
    if for_: s += "\n\tfor <%s>" % for_
    s += "; %s" % date(i)
    return s

def exim(helo, ip, by="mail.example.com", with_="esmtp", for_=None, sender="x@y", i=0):
    s = "Received: from [%s] (helo=%s)\n\tby %s with %s (Exim 4.96)\n\t(envelope-from <%s>)\n\tid 1tXyZa-000AbC-1x" % (ip, helo, by, with_, sender)
    if for_: s += "\n\tfor %s" % for_
    return s + "; %s" % date(i)

def qmail(helo, ip, by="mail.example.com", i=0):
    return ("Received: (qmail %d invoked from network); 23 Nov 2026 10:%02d:01 -0000\n" % (4000 + i, i) +
            "Received: from unknown (HELO %s) (%s)\n  by %s with SMTP; 23 Nov 2026 10:%02d:00 -0000" % (helo, ip, by, i))

def body_hdrs(frm, to, subj, extra=()):
    h = ["Date: %s" % date(), "From: %s" % frm, "To: %s" % to, "Subject: %s" % subj,
         "Message-ID: <%d.corpus@qscan.test>" % n[0]] + list(extra)
    return h

def case(name, verdict, reasons, envh, received, hdrs, body="Hello.\n", conf=None):
    n[0] += 1
    fn = "%03d-%s" % (n[0], name)
    text = "\n".join(envh + ([received] if isinstance(received, str) and received else list(received or [])) + hdrs) + "\n\n" + body
    with open(os.path.join(D, fn + ".eml"), "w") as f:
        f.write(text)
    if conf:
        with open(os.path.join(D, fn + ".conf"), "w") as f:
            f.write(conf)
    cases.append("%s %s %s" % (fn, verdict, reasons))

SPAM = "203.0.113.7"
RELAYH = lambda i=0, for_="victim@remote.example", ip=SPAM: pf("spammer.example", ip, for_=for_, i=i)

# ---- 1. whitelist and spare rules
case("whitelist-sender", "legit", "whitelist",
     env("ceo@client.example", ["victim@remote.example"], client=SPAM), RELAYH(),
     body_hdrs("ceo@client.example", "victim@remote.example", "Quarterly numbers"))
case("whitelist-sender-near-miss", "relay", "open-relay",
     env("ceo@client.example.net", ["victim@remote.example"], client=SPAM), RELAYH(),
     body_hdrs("ceo@client.example.net", "victim@remote.example", "Quarterly numbers"))
case("whitelist-recipient", "legit", "whitelist",
     env("someone@elsewhere.example", ["friend@outside.example"], client=SPAM), RELAYH(for_="friend@outside.example"),
     body_hdrs("someone@elsewhere.example", "friend@outside.example", "hi"))
case("whitelist-domain-sender", "legit", "whitelist",
     env("sales@partner.example", ["buyer@remote.example"], client=SPAM), RELAYH(for_="buyer@remote.example"),
     body_hdrs("sales@partner.example", "buyer@remote.example", "offer"))
case("whitelist-domain-subdomain-rcpt", "legit", "whitelist",
     env("x@elsewhere.example", ["pal@a.friends.example"], client=SPAM), RELAYH(for_="pal@a.friends.example"),
     body_hdrs("x@elsewhere.example", "pal@a.friends.example", "hello"))
case("whitelist-domain-parent-not-listed", "relay", "open-relay",
     env("x@elsewhere.example", ["pal@friends.example"], client=SPAM), RELAYH(for_="pal@friends.example"),
     body_hdrs("x@elsewhere.example", "pal@friends.example", "hello"))
case("whitelist-network-client", "legit", "whitelist",
     env("x@elsewhere.example", ["y@remote.example"], client="198.51.100.20"),
     pf("gw.partnernet.example", "198.51.100.20", for_="y@remote.example"),
     body_hdrs("x@elsewhere.example", "y@remote.example", "status"))
case("whitelist-network-origin-behind-filter", "legit", "whitelist",
     env("x@elsewhere.example", ["y@remote.example"], client="127.0.0.1"),
     [pf("localhost", "127.0.0.1", rdns="localhost", qid="AA11BB22CC", for_="y@remote.example", i=2),
      "Received: from mail.example.com ([127.0.0.1])\n\tby localhost (mail.example.com [127.0.0.1]) (amavisd-new, port 10024)\n\twith ESMTP id abcDEF123 for <y@remote.example>; " + date(1),
      pf("gw.partnernet.example", "198.51.100.21", for_="y@remote.example")],
     body_hdrs("x@elsewhere.example", "y@remote.example", "status"))
case("rule-spare-header", "legit", "rule:newsletter",
     env("news@lists.elsewhere.example", ["reader@remote.example"], client=SPAM), RELAYH(for_="reader@remote.example"),
     body_hdrs("news@lists.elsewhere.example", "reader@remote.example", "News", ["X-Mailer: OurNewsletter 3.1"]))
case("rule-spare-header-near-miss", "relay", "open-relay",
     env("news@lists.elsewhere.example", ["reader@remote.example"], client=SPAM), RELAYH(for_="reader@remote.example"),
     body_hdrs("news@lists.elsewhere.example", "reader@remote.example", "News", ["X-Mailer: TheirNewsletter 3.1"]))
case("rule-purge-subject-beats-local", "relay", "rule:viagra",
     env("pills@spam.example", ["user@example.com"], client=SPAM), RELAYH(for_="user@example.com"),
     body_hdrs("pills@spam.example", "user@example.com", "Cheap V1agra today"))
case("rule-purge-subject-encoded", "relay", "rule:viagra",
     env("pills@spam.example", ["user@example.com"], client=SPAM), RELAYH(for_="user@example.com"),
     body_hdrs("pills@spam.example", "user@example.com", "=?utf-8?B?Q2hlYXAgVmlhZ3JhIHRvZGF5?="))
case("rule-purge-subject-near-miss", "legit", "local-recipient",
     env("pills@spam.example", ["user@example.com"], client=SPAM), RELAYH(for_="user@example.com"),
     body_hdrs("pills@spam.example", "user@example.com", "Cheap Viag-ra today"))
case("rule-purge-sender", "relay", "rule:lottery",
     env("promo@lottery.example", ["user@example.com"], client=SPAM), RELAYH(for_="user@example.com"),
     body_hdrs("promo@lottery.example", "user@example.com", "You won"))
case("rule-spare-beats-purge", "legit", "rule:newsletter",
     env("news@lists.elsewhere.example", ["reader@remote.example"], client=SPAM), RELAYH(for_="reader@remote.example"),
     body_hdrs("news@lists.elsewhere.example", "reader@remote.example", "Viagra in the news", ["X-Mailer: OurNewsletter 4"]))
case("rule-spare-helo", "legit", "rule:partnerhelo",
     env("x@elsewhere.example", ["y@remote.example"], client="203.0.113.40 helo=gw.partner2.example"),
     pf("gw.partner2.example", "203.0.113.40", for_="y@remote.example"),
     body_hdrs("x@elsewhere.example", "y@remote.example", "report"))
case("rule-purge-client-name", "relay", "rule:dynamic",
     env("x@elsewhere.example", ["user@example.com"]),
     pf("pc", "203.0.113.70", rdns="host-70.dynamic.badisp.example", for_="user@example.com"),
     body_hdrs("x@elsewhere.example", "user@example.com", "hi"))
case("rule-spare-auth", "legit", "rule:scanner",
     env("scans@remote.example", ["office@remote.example"]),
     pf("copier", "203.0.113.80", with_="ESMTPSA", auth="scanner", for_="office@remote.example"),
     body_hdrs("scans@remote.example", "office@remote.example", "Scan 0042"))
case("rule-purge-recipient", "relay", "rule:trap",
     env("x@elsewhere.example", ["catchme@spamtrap.example"], client="10.1.2.3"),
     pf("lan-pc", "10.1.2.3", for_="catchme@spamtrap.example"),
     body_hdrs("x@elsewhere.example", "catchme@spamtrap.example", "hi"))
case("whitelist-and-spare-rule", "legit", "whitelist,rule:newsletter",
     env("ceo@client.example", ["reader@remote.example"], client=SPAM), RELAYH(for_="reader@remote.example"),
     body_hdrs("ceo@client.example", "reader@remote.example", "News", ["X-Mailer: OurNewsletter 3.1"]))

# ---- 3. local recipients and relay tricks
case("local-recipient", "legit", "local-recipient",
     env("someone@elsewhere.example", ["user@example.com"], client=SPAM), RELAYH(for_="user@example.com"),
     body_hdrs("someone@elsewhere.example", "user@example.com", "lunch?"))
case("local-recipient-subdomain", "legit", "local-recipient",
     env("someone@elsewhere.example", ["list@lists.example.org"], client=SPAM), RELAYH(for_="list@lists.example.org"),
     body_hdrs("someone@elsewhere.example", "list@lists.example.org", "post"))
case("local-recipient-mixed", "legit", "local-recipient",
     env("someone@elsewhere.example", ["victim@remote.example", "user@example.com"], client=SPAM), RELAYH(for_=None),
     body_hdrs("someone@elsewhere.example", "victim@remote.example, user@example.com", "hi all"))
case("relay-trick-percent", "relay", "open-relay",
     env("spam@spam.example", ["victim%remote.example@example.com"], client=SPAM), RELAYH(for_="victim%remote.example@example.com"),
     body_hdrs("spam@spam.example", "victim@remote.example", "deal"))
case("relay-trick-bang", "relay", "open-relay",
     env("spam@spam.example", ["remote.example!victim@example.com"], client=SPAM), RELAYH(for_="remote.example!victim@example.com"),
     body_hdrs("spam@spam.example", "victim@remote.example", "deal"))
case("relay-trick-quoted", "relay", "open-relay",
     env("spam@spam.example", ['"victim@remote.example"@example.com'], client=SPAM), RELAYH(for_=None),
     body_hdrs("spam@spam.example", "victim@remote.example", "deal"))
case("relay-trick-source-route", "relay", "open-relay",
     env("spam@spam.example", ["@example.com:victim@remote.example"], client=SPAM), RELAYH(for_=None),
     body_hdrs("spam@spam.example", "victim@remote.example", "deal"))
case("address-literal-ours", "legit", "local-recipient",
     env("someone@elsewhere.example", ["postmaster@[192.0.2.10]"], client=SPAM), RELAYH(for_="postmaster@[192.0.2.10]"),
     body_hdrs("someone@elsewhere.example", "postmaster@[192.0.2.10]", "hello"))
case("address-literal-foreign", "relay", "open-relay",
     env("spam@spam.example", ["victim@[203.0.113.99]"], client=SPAM), RELAYH(for_="victim@[203.0.113.99]"),
     body_hdrs("spam@spam.example", "victim@[203.0.113.99]", "deal"))
case("done-local-recipient-ignored", "relay", "open-relay",
     env("spam@spam.example", ["victim@remote.example"], done=["user@example.com"], client=SPAM), RELAYH(for_=None),
     body_hdrs("spam@spam.example", "victim@remote.example, user@example.com", "deal"))

# ---- 4. authentication
MDH = ("Received: from [203.0.113.15] by mail.example.com (MDaemon PRO v12.5.6)\n"
       "\twith ESMTPA id md50000012345.msg; " + date(3))
case("mdaemon-auth-abuse", "relay", "auth-abuse",
     env("sales@shop.example", ["victim1@remote.example", "victim2@remote.example"]),
     MDH, body_hdrs("sales@shop.example", "victim1@remote.example", "Best prices",
                    ["X-Authenticated-Sender: MDaemon@example.com", "X-MDRemoteIP: 203.0.113.15", "X-Return-Path: sales@shop.example"]))
case("mdaemon-auth-trusted", "legit", "authenticated",
     env("carol@example.com", ["partner@remote.example"]),
     MDH.replace("203.0.113.15", "203.0.113.16"), body_hdrs("carol@example.com", "partner@remote.example", "contract",
                    ["X-Authenticated-Sender: carol@example.com"]))
case("auth-trusted-user", "legit", "authenticated",
     env("alice@example.com", ["bob@remote.example"]),
     pf("laptop", "203.0.113.30", with_="ESMTPSA", auth="alice", for_="bob@remote.example"),
     body_hdrs("alice@example.com", "bob@remote.example", "slides"))
case("auth-trusted-user-with-domain", "legit", "authenticated",
     env("bob@example.com", ["x@remote.example"]),
     pf("phone", "203.0.113.31", with_="ESMTPSA", auth="bob@example.com", for_="x@remote.example"),
     body_hdrs("bob@example.com", "x@remote.example", "ok"))
case("auth-user-other-domain-unlisted", "unsure", "auth-unlisted",
     env("bob@other.example", ["x@remote.example"]),
     pf("phone", "203.0.113.32", with_="ESMTPSA", auth="bob@other.example", for_="x@remote.example"),
     body_hdrs("bob@other.example", "x@remote.example", "ok"))
case("webmail-webmaster-abuse", "relay", "auth-abuse",
     env("webmaster@example.com", ["v1@remote.example", "v2@remote.example", "v3@remote.example"]),
     ["Received: from webmail.example.com (localhost [127.0.0.1])\n\t(Authenticated sender: webmaster)\n\tby mail.example.com (Postfix) with ESMTPA id 77AA88BB99; " + date(5),
      "Received: from 203.0.113.33\n\t(SquirrelMail authenticated user webmaster)\n\tby webmail.example.com with HTTP; " + date(5)],
     body_hdrs("webmaster@example.com", "undisclosed-recipients:;", "Verify your account"))
case("auth-unlisted-user", "unsure", "auth-unlisted",
     env("zed@example.com", ["x@remote.example"]),
     pf("laptop", "203.0.113.34", with_="ESMTPSA", auth="zed", for_="x@remote.example"),
     body_hdrs("zed@example.com", "x@remote.example", "hi"))
case("icewarp-asmtp-no-user", "unsure", "auth-unlisted",
     env("someone@example.com", ["x@remote.example"]),
     "Received: from [203.0.113.35] ([203.0.113.35])\n\tby mail.example.com (IceWarp 12.0.2.1) with ASMTP (SSL) id 202611231005000001\n\tfor <x@remote.example>; " + date(5),
     body_hdrs("someone@example.com", "x@remote.example", "hi"))
case("auth-from-metadata", "legit", "authenticated",
     env("alice@example.com", ["x@remote.example"], client="203.0.113.36", auth="alice"),
     pf("laptop", "203.0.113.36", with_="ESMTPSA", for_="x@remote.example"),
     body_hdrs("alice@example.com", "x@remote.example", "hi"))
case("auth-forged-in-foreign-hop", "relay", "open-relay",
     env("alice@elsewhere.example", ["x@remote.example"], client=SPAM),
     [RELAYH(for_="x@remote.example"),
      pf("fake", "10.9.9.9", with_="ESMTPSA", auth="alice", for_="x@remote.example")],
     body_hdrs("alice@elsewhere.example", "x@remote.example", "hi"))
case("auth-abuse-admin-any-case", "relay", "auth-abuse",
     env("admin@example.com", ["x@remote.example"], client="203.0.113.37", auth="Admin@Example.COM"),
     pf("bot", "203.0.113.37", with_="ESMTPA", for_="x@remote.example"),
     body_hdrs("admin@example.com", "x@remote.example", "Invoice"))

# ---- 5./8. bounces
def pf_bounce(orig_received, orig_from, orig_to, orig_subj, final_rcpts, reporting="mail.example.com",
              kind="message/rfc822", outer_received=None, to="spam@spam.example"):
    b = "4A1B2C3D4E.1700000000/" + reporting
    outer = outer_received or ("Received: by mail.example.com (Postfix)\n\tid 4A1B2C3D4E; " + date(9))
    h = [outer, "Date: " + date(9), "From: MAILER-DAEMON@%s (Mail Delivery System)" % reporting,
         "Subject: Undelivered Mail Returned to Sender", "To: " + to, "Auto-Submitted: auto-replied",
         "MIME-Version: 1.0",
         'Content-Type: multipart/report; report-type=delivery-status;\n\tboundary="%s"' % b,
         "Message-Id: <20261123100900.4A1B2C3D4E@%s>" % reporting]
    status = "Reporting-MTA: dns; %s\nX-Postfix-Queue-ID: 4A1B2C3D4E\n" % reporting
    if reporting == "mail.example.com":
        status += "X-Postfix-Sender: rfc822; %s\n" % to
    status += "Arrival-Date: %s\n" % date(0)
    for r in final_rcpts:
        status += "\nFinal-Recipient: rfc822; %s\nOriginal-Recipient: rfc822;%s\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 <%s>: Recipient address rejected: User unknown\n" % (r, r, r)
    orig = "\n".join(orig_received + ["From: " + orig_from, "To: " + orig_to, "Subject: " + orig_subj,
                                      "Date: " + date(0), "Message-ID: <orig.%d@spam.example>" % n[0]]) + "\n"
    body = ("This is a MIME-encapsulated message.\n\n--%s\nContent-Description: Notification\n"
            "Content-Type: text/plain; charset=us-ascii\n\nThis is the mail system at host %s.\n\n"
            "I'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n"
            "--%s\nContent-Description: Delivery report\nContent-Type: message/delivery-status\n\n%s\n"
            "--%s\nContent-Description: %s\nContent-Type: %s\n\n%s%s\n--%s--\n") % (
        b, reporting, b, status, b, "Undelivered Message" if kind == "message/rfc822" else "Undelivered Message Headers",
        kind, orig, "\nBuy now!\n" if kind == "message/rfc822" else "", b)
    return h, body

h, body = pf_bounce([pf("spammer.example", SPAM, for_="victim@remote.example")], "Pills <spam@spam.example>",
                    "victim@remote.example", "Cheap pills", ["victim@remote.example"])
case("backscatter-postfix-own-bounce-rfc822", "relay", "backscatter", env("", ["spam@spam.example"]), None, h, body)
h, body = pf_bounce([pf("mail.example.com", "192.0.2.10", rdns="mail.example.com", by="mx.remote.example", qid="ZZ99", for_="victim@remote.example"),
                     pf("spammer.example", SPAM, for_="victim@remote.example")],
                    "Forged <innocent@forged.example>", "victim@remote.example", "Cheap pills", ["victim@remote.example"],
                    reporting="mx.remote.example", kind="text/rfc822-headers",
                    outer_received=pf("mx.remote.example", "203.0.113.50", rdns="mx.remote.example", for_="innocent@forged.example", i=9),
                    to="innocent@forged.example")
case("backscatter-remote-rfc822-headers", "relay", "backscatter",
     env("", ["innocent@forged.example"], client="203.0.113.50"), None, h, body)
h, body = pf_bounce([pf("somewhere.example", "198.18.0.5", by="mx.remote.example", qid="ZZ98", for_="nobody@remote.example")],
                    "Someone <someone@third.example>", "nobody@remote.example", "Hello", ["nobody@remote.example"],
                    reporting="mx.remote.example",
                    outer_received=pf("mx.remote.example", "203.0.113.51", rdns="mx.remote.example", for_="someone@third.example", i=9),
                    to="someone@third.example")
case("bounce-unrelated-dsn", "unsure", "bounce",
     env("", ["someone@third.example"], client="203.0.113.51"), None, h, body)
h, body = pf_bounce([pf("laptop", "203.0.113.30", with_="ESMTPSA", auth="alice", for_="typo@remote.example")],
                    "Alice <alice@example.com>", "typo@remote.example", "slides", ["typo@remote.example"], to="alice@example.com")
case("bounce-of-legit-to-local", "legit", "local-recipient", env("", ["alice@example.com"]), None, h, body)
h, body = pf_bounce([pf("laptop", "203.0.113.30", with_="ESMTPSA", auth="alice", for_="typo@remote.example")],
                    "Alice <alice@partner-of-alice.example>", "typo@remote.example", "slides", ["typo@remote.example"],
                    to="alice@partner-of-alice.example")
case("bounce-own-of-authenticated", "unsure", "bounce", env("", ["alice@partner-of-alice.example"]), None, h, body)
h, body = pf_bounce([pf("elsewhere", "198.18.0.6", by="mx.third.example", qid="ZZ97", for_="victim@remote.example")],
                    "Forged <innocent@forged.example>", "victim@remote.example", "Cheap pills", ["victim@remote.example"],
                    outer_received=pf("bouncer.example", "203.0.113.60", for_="innocent@forged.example", i=9),
                    to="innocent@forged.example")
case("bounce-claims-our-reporting-mta", "unsure", "bounce",
     env("", ["innocent@forged.example"], client="203.0.113.60"), None, h, body)
qb_orig = qmail("spammer.example", SPAM)
case("backscatter-qmail-own-bounce", "relay", "backscatter",
     env("", ["spam@spam.example"]),
     "Received: (qmail 22572 invoked for bounce); 23 Nov 2026 10:15:41 -0000",
     ["Date: 23 Nov 2026 10:15:41 -0000", "From: MAILER-DAEMON@mail.example.com", "To: spam@spam.example", "Subject: failure notice"],
     "Hi. This is the qmail-send program at mail.example.com.\nI'm afraid I wasn't able to deliver your message to the following addresses.\n"
     "This is a permanent error; I've given up. Sorry it didn't work out.\n\n<victim1@remote.example>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n"
     "--- Below this line is a copy of the message.\n\nReturn-Path: <spam@spam.example>\n" + qb_orig +
     "\nFrom: spam@spam.example\nTo: victim1@remote.example\nSubject: Buy cheap pills now\n\nbody\n")
case("bounce-qmail-own-of-local-submission", "unsure", "bounce",
     env("", ["spammer@spam.example"]),
     "Received: (qmail 22572 invoked for bounce); 23 Nov 2026 10:15:41 -0000",
     ["Date: 23 Nov 2026 10:15:41 -0000", "From: MAILER-DAEMON@mail.example.com", "To: spammer@spam.example", "Subject: failure notice"],
     "Hi. This is the qmail-send program at mail.example.com.\nI'm afraid I wasn't able to deliver your message to the following addresses.\n\n"
     "<victim1@example.net>:\nSorry, I wasn't able to establish an SMTP connection. (#4.4.1)\n\n"
     "--- Below this line is a copy of the message.\n\nReturn-Path: <spammer@spam.example>\n"
     "Received: (qmail 22215 invoked by uid 0); 23 Nov 2026 10:15:04 -0000\nFrom: spammer@spam.example\nTo: victim1@example.net\nSubject: Buy cheap pills now\n\nbody\n")
case("autoreply-null-sender", "unsure", "bounce",
     env("", ["someone@remote.example"], client="203.0.113.77"),
     pf("mx.autoreply.example", "203.0.113.77", for_="someone@remote.example"),
     body_hdrs("vacation@autoreply.example", "someone@remote.example", "Out of office", ["Auto-Submitted: auto-replied"]))
case("autoreply-local-submission", "legit", "local-submission",
     env("", ["someone@remote.example"]),
     "Received: by mail.example.com (Postfix, from userid 5000)\n\tid 1234ABCD; " + date(7),
     body_hdrs("vacation@example.com", "someone@remote.example", "Out of office", ["Auto-Submitted: auto-replied"]))

# ---- 6. trusted network, local submission
case("trusted-network-lan", "legit", "trusted-network",
     env("x@elsewhere.example", ["y@remote.example"], client="10.1.2.3 helo=lan-pc"),
     pf("lan-pc", "10.1.2.3", for_="y@remote.example"), body_hdrs("x@elsewhere.example", "y@remote.example", "report"))
case("local-submission-metadata", "legit", "local-submission",
     env("cron@elsewhere.example", ["y@remote.example"], local=True),
     "Received: by mail.example.com (Postfix, from userid 0)\n\tid 99887766; " + date(8),
     body_hdrs("cron@elsewhere.example", "y@remote.example", "Cron <root@mail> backup"))
case("local-submission-pickup-line", "legit", "local-submission",
     env("www-data@elsewhere.example", ["y@remote.example"]),
     "Received: by mail.example.com (Postfix, from userid 33)\n\tid 55667788; " + date(8),
     body_hdrs("www-data@elsewhere.example", "y@remote.example", "contact form"))
case("qmail-invoked-by-uid", "legit", "local-submission",
     env("spammer@spam.example", ["victim1@example.net"]),
     "Received: (qmail 22215 invoked by uid 0); 22 Nov 2026 14:15:04 -0000",
     body_hdrs('"Cheap Pills" <spammer@spam.example>', "victim1@example.net", "Buy cheap pills now"))
case("content-filter-reinjection-relay", "relay", "open-relay",
     env("spam@spam.example", ["victim@remote.example"], client="127.0.0.1 helo=localhost"),
     [pf("localhost", "127.0.0.1", rdns="localhost", qid="AA11BB22CC", for_="victim@remote.example", i=2),
      "Received: from mail.example.com ([127.0.0.1])\n\tby localhost (mail.example.com [127.0.0.1]) (amavisd-new, port 10024)\n\twith ESMTP id abcDEF123 for <victim@remote.example>; " + date(1),
      pf("spammer.example", SPAM, for_="victim@remote.example")],
     body_hdrs("spam@spam.example", "victim@remote.example", "deal"))
case("ipv6-trusted-client", "legit", "trusted-network",
     env("x@elsewhere.example", ["y@remote.example"], client="2001:db8:100::25"),
     pf("v6host", "IPv6:2001:db8:100::25", for_="y@remote.example"), body_hdrs("x@elsewhere.example", "y@remote.example", "v6"))
case("ipv6-open-relay", "relay", "open-relay",
     env("spam@spam.example", ["victim@remote.example"], client="2001:db8:beef::7"),
     pf("v6spam", "IPv6:2001:db8:beef::7", for_="victim@remote.example"), body_hdrs("spam@spam.example", "victim@remote.example", "v6 deal"))
case("ipv6-open-relay-from-received", "relay", "open-relay",
     env("spam@spam.example", ["victim@remote.example"]),
     pf("v6spam", "IPv6:2001:db8:beef::8", for_="victim@remote.example"), body_hdrs("spam@spam.example", "victim@remote.example", "v6 deal"))
case("loopback-script", "legit", "trusted-network",
     env("app@elsewhere.example", ["y@remote.example"], client="127.0.0.1 helo=localhost"),
     pf("localhost", "127.0.0.1", rdns="localhost", for_="y@remote.example"), body_hdrs("app@elsewhere.example", "y@remote.example", "notice"))

# ---- 7. forwarded
case("alias-forward-outside", "legit", "forwarded",
     env("friend@elsewhere.example", ["user.private@gmail.example"], client="203.0.113.90"),
     pf("mx.elsewhere.example", "203.0.113.90", rdns="mx.elsewhere.example", for_="alias@example.com"),
     body_hdrs("friend@elsewhere.example", "alias@example.com", "party", ["Delivered-To: alias@example.com"]))
case("forward-for-external-is-not-forwarded", "relay", "open-relay",
     env("friend@elsewhere.example", ["user.private@gmail.example"], client="203.0.113.91"),
     pf("mx.elsewhere.example", "203.0.113.91", rdns="mx.elsewhere.example", for_="user.private@gmail.example"),
     body_hdrs("friend@elsewhere.example", "user.private@gmail.example", "party"))
case("exim-alias-forward", "legit", "forwarded",
     env("friend@elsewhere.example", ["user@gmail.example"]),
     exim("mx.elsewhere.example", "203.0.113.92", for_="staff@example.org", sender="friend@elsewhere.example"),
     body_hdrs("friend@elsewhere.example", "staff@example.org", "hello"))
case("forward-claim-in-foreign-hop", "relay", "open-relay",
     env("spam@spam.example", ["victim@remote.example"], client=SPAM),
     [RELAYH(for_="victim@remote.example"), pf("x", "198.18.0.9", by="mail.example.com", for_="user@example.com")],
     body_hdrs("spam@spam.example", "victim@remote.example", "deal"))

case("alias-forward-delivered-to-above", "legit", "forwarded",
     env("friend@elsewhere.example", ["me@gmail.example"], client="203.0.113.93"),
     ["Delivered-To: team@example.com", pf("mx.elsewhere.example", "203.0.113.93", rdns="mx.elsewhere.example", for_=None)],
     body_hdrs("friend@elsewhere.example", "team@example.com, other@example.com", "party"))
case("delivered-to-forged-below", "relay", "open-relay",
     env("spam@spam.example", ["victim@remote.example"], client=SPAM),
     [RELAYH(for_=None), "Delivered-To: team@example.com"],
     body_hdrs("spam@spam.example", "victim@remote.example", "deal"))

# ---- 9. open relay, several MTA styles
case("open-relay-postfix", "relay", "open-relay",
     env("spam@spam.example", ["v1@remote.example", "v2@remote.example", "v3@remote.example"], client=SPAM + " helo=spammer.example"),
     RELAYH(for_=None), body_hdrs("spam@spam.example", "v1@remote.example", "deal"))
case("open-relay-qmail-chain", "relay", "open-relay",
     env("spam@spam.example", ["victim@remote.example"]), qmail("spammer.example", "203.0.113.8"),
     body_hdrs("spam@spam.example", "victim@remote.example", "deal"))
case("open-relay-exim-chain", "relay", "open-relay",
     env("spam@spam.example", ["victim@remote.example"]),
     exim("spammer.example", "203.0.113.9", for_="victim@remote.example", sender="spam@spam.example"),
     body_hdrs("spam@spam.example", "victim@remote.example", "deal"))
for k in range(3):
    case("slow-spam-%d" % (k + 1), "relay", "open-relay",
         env("offer%d@spam.example" % k, ["target%d@remote.example" % k], client="203.0.113.66",
             arrival="2026-11-23T10:%02d:00Z" % (k * 7)),
         pf("slow.spam.example", "203.0.113.66", for_="target%d@remote.example" % k, i=k * 7),
         body_hdrs("offer%d@spam.example" % k, "target%d@remote.example" % k, "offer %d" % k))
case("open-relay-behind-trusted-lan-relay", "legit", "trusted-network",
     env("spam@spam.example", ["victim@remote.example"], client="10.0.0.5"),
     [pf("gw.lan", "10.0.0.5", for_="victim@remote.example"), pf("spammer.example", SPAM, by="gw.lan")],
     body_hdrs("spam@spam.example", "victim@remote.example", "deal"))
case("no-origin-known", "unsure", "no-rule",
     env("spam@spam.example", ["victim@remote.example"]), None,
     body_hdrs("spam@spam.example", "victim@remote.example", "deal"))

# ---- 10. forged local sender
FL = lambda: (env("ceo@example.com", ["victim@remote.example"], client="203.0.113.95"),
              pf("spammer.example", "203.0.113.95", for_="victim@remote.example"),
              body_hdrs("CEO <ceo@example.com>", "victim@remote.example", "Urgent wire transfer"))
e, r, hh = FL()
case("forged-local-sender", "unsure", "forged-local-sender", e, r, hh)
e, r, hh = FL()
case("forged-local-sender-strict", "relay", "forged-local-sender", e, r, hh, conf="# loaded after qscan.conf\n[qscan]\nstrict = true\n")
case("local-sender-from-lan", "legit", "trusted-network",
     env("ceo@example.com", ["victim@remote.example"], client="10.1.2.4"),
     pf("lan-pc", "10.1.2.4", for_="victim@remote.example"), body_hdrs("ceo@example.com", "victim@remote.example", "hi"))
case("local-sender-no-origin", "unsure", "no-rule",
     env("ceo@example.com", ["victim@remote.example"]), None, body_hdrs("ceo@example.com", "victim@remote.example", "hi"))

# ---- errors, suspect envelope, unknown envelope
case("malformed-binary-header", "unsure", "malformed", [], None,
     ["\x01\x02\x03 garbage that is not a header line", "more garbage"])
case("mdaemon-suspect-envelope", "unsure", "open-relay",
     env("spam@spam.example", ["victim@remote.example"], client=SPAM, suspect=True), RELAYH(),
     body_hdrs("spam@spam.example", "victim@remote.example", "deal"))
case("unknown-envelope-no-for", "unsure", "no-rule", [], RELAYH(for_=None),
     body_hdrs("spam@spam.example", "victim@remote.example", "deal"))
case("unknown-envelope-for-local", "legit", "local-recipient", [], RELAYH(for_="user@example.com"),
     body_hdrs("someone@elsewhere.example", "user@example.com", "hi"))
case("unknown-rcpts-for-external", "relay", "open-relay", env("spam@spam.example"), RELAYH(for_="victim@remote.example"),
     body_hdrs("spam@spam.example", "victim@remote.example", "deal"))
case("unknown-sender-local-rcpt", "legit", "local-recipient", env(None, ["user@example.com"], client=SPAM), RELAYH(for_="user@example.com"),
     body_hdrs("spam@spam.example", "user@example.com", "deal"))
case("unknown-sender-external", "unsure", "no-rule", env(None, ["victim@remote.example"], client=SPAM), RELAYH(),
     body_hdrs("spam@spam.example", "victim@remote.example", "deal"))

n[0] += 1
fn = "%03d-unreadable-missing" % n[0]
try: os.unlink(os.path.join(D, fn + ".eml"))
except FileNotFoundError: pass
cases.append("%s unsure unreadable" % fn)

# ---- added later: appended so that earlier case names stay stable
h, body = pf_bounce([pf("spammer.example", "203.0.113.12", for_="victim@remote.example")], "Pills <spam@spam.example>",
                    "victim@remote.example", "Cheap pills", ["victim@remote.example"], kind="text/rfc822-headers")
case("backscatter-postfix-own-bounce-headers", "relay", "backscatter", env("", ["spam@spam.example"]), None, h, body)
case("auth-name-near-abused", "unsure", "auth-unlisted",
     env("desk@example.com", ["x@remote.example"]),
     pf("laptop", "203.0.113.38", with_="ESMTPSA", auth="infodesk", for_="x@remote.example"),
     body_hdrs("desk@example.com", "x@remote.example", "ticket 4711"))
case("forged-pickup-line-below-external", "relay", "open-relay",
     env("spam@spam.example", ["victim@remote.example"], client=SPAM),
     [RELAYH(for_="victim@remote.example"), "Received: by mail.example.com (Postfix, from userid 0)\n\tid 11223344; " + date(0)],
     body_hdrs("spam@spam.example", "victim@remote.example", "deal"))
n[0] += 1
fn = "%03d-readable-crlf-8bit-mbox-line" % n[0]
raw = ("X-Qscan-Sender: <spam@spam.example>\r\nX-Qscan-Rcpt: <victim@remote.example>\r\n"
       "From spam@spam.example Mon Nov 23 10:00:00 2026\r\n" +
       RELAYH().replace("\n", "\r\n") + "\r\nFrom: spam@spam.example\r\nTo: victim@remote.example\r\n"
       "Subject: caf\xc3\xa9 \xb0\xa1\xb3\xaa\r\n\r\nbody\r\n")
with open(os.path.join(D, fn + ".eml"), "wb") as f:
    f.write(raw.encode("latin-1"))
cases.append("%s relay open-relay" % fn)
case("bounce-null-sender-rcpt-unknown-envelope", "unsure", "bounce",
     env("", [], client="203.0.113.78"),
     pf("mx.elsewhere.example", "203.0.113.78", for_="someone@remote.example"),
     body_hdrs("MAILER-DAEMON@elsewhere.example", "someone@remote.example", "Undeliverable"))

with open(os.path.join(D, "expected.txt"), "w") as f:
    f.write("# case verdict reason[,reason]  (t/4201-policy-corpus; case = file name without .eml)\n")
    f.write("\n".join(cases) + "\n")
print(len(cases), "cases")
