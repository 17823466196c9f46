#!/usr/bin/env python3
"""crossfmt-inject.py - feed the labelled corpus to a real Postfix (t/9102).

  crossfmt-inject.py plan CORPUS WORK SKIPS
      decide how each case goes in; writes WORK/plan.json, WORK/virtual
      (virtual_alias_maps) and WORK/transport (transport_maps); exits 1
      naming any case that is neither injectable nor in SKIPS
  crossfmt-inject.py run WORK QUEUE_DIR PORT CONF_DIR done|rest
      inject the planned cases with done recipients (transport_maps must
      send those to discard:), or the others (transport_maps must be
      empty: a local recipient of theirs may be another's done one), one
      by one, each time waiting until Postfix has queued it; append
      "case queue-id" lines to WORK/map
With QSCAN_NO_IPV6 set (the host has no IPv6), IPv6 clients are skipped
and added to SKIPS with that reason.

A case is injected as the message its MTA received: the Received line
that the receiving Postfix wrote (the newest one, "by <our host>
(Postfix)") is removed, because the real Postfix writes its own, from the
same client: XCLIENT ADDR/NAME/HELO, LOGIN for an AUTH user, taken from
the case's X-Qscan-* envelope or else from that line. Its "for <A>" when A
is not the pending recipient R is a forward: R is reached through a
virtual alias A -> R, as a real alias would do it. Done recipients are
delivered by the discard transport so that they become real D records.
A case whose newest Received line is Postfix's pickup line goes in with
sendmail (the pickup line is written again by pickup).
"""
import json
import os
import re
import subprocess
import sys
import time

HOST = "mail.example.com"
RCVD = re.compile(
    r"^from (?P<helo>\S+) \((?P<name>\S+) \[(?:IPv6:)?(?P<ip>[^\]]+)\]\)"
    r"(?: \(Authenticated sender: (?P<auth>[^)]+)\))?"
    r" by " + re.escape(HOST) + r" \(Postfix\) with (?P<proto>E?SMTP\S*) id \S+"
    r"(?: for <(?P<for>[^>]*)>)?;", re.I)
PICKUP = re.compile(r"^by " + re.escape(HOST) + r" \(Postfix, from userid \d+\)", re.I)


def parse_case(path):
    """(envelope dict, header fields [(name, raw bytes)], body bytes)"""
    data = open(path, "rb").read()
    env = {"sender": None, "rcpts": [], "done": [], "client": None, "helo": None, "name": None,
           "auth": None, "local": False, "suspect": False, "rcpts_known": False}
    lines = data.split(b"\n")
    i = 0
    while i < len(lines):
        line = lines[i].decode("utf-8", "replace").rstrip("\r")
        if not line.lower().startswith("x-qscan-") or ":" not in line:
            break
        name, v = line.split(":", 1)
        name, v = name.lower(), v.strip()
        bare = v[1:-1] if v.startswith("<") and v.endswith(">") else v
        if name == "x-qscan-sender":
            env["sender"] = bare
        elif name in ("x-qscan-rcpt", "x-qscan-rcpt-done"):
            env["rcpts" if name == "x-qscan-rcpt" else "done"].append(bare)
            env["rcpts_known"] = True
        elif name == "x-qscan-client":
            w = v.split()
            env["client"] = w[0] if w else None
            for x in w[1:]:
                k, _, val = x.partition("=")
                if k in ("helo", "name"):
                    env[k] = val
        elif name == "x-qscan-auth":
            env["auth"] = v
        elif name == "x-qscan-local":
            env["local"] = v.lower() == "yes"
        elif name == "x-qscan-suspect":
            env["suspect"] = v.lower() == "yes"
        i += 1
    msg = b"\n".join(lines[i:]).replace(b"\r\n", b"\n")	# SMTP makes it CRLF again
    cut = msg.find(b"\n\n")
    head, body = (msg[:cut + 1], msg[cut + 1:]) if cut >= 0 else (msg, b"")
    fields = []
    for raw in head.splitlines(keepends=True):
        if raw[:1] in (b" ", b"\t") and fields:
            fields[-1][1] += raw
        else:
            fields.append([raw.split(b":", 1)[0].decode("ascii", "replace"), raw])
    return env, fields, body


def unfold(raw):
    v = raw.split(b":", 1)[1].decode("utf-8", "replace")
    return " ".join(v.split())


def plan_case(path):
    """a plan dict, or a string saying why the case cannot go in"""
    env, fields, body = parse_case(path)
    if env["sender"] is None or not env["rcpts_known"]:
        return "unknown envelope: Postfix always records the sender and the recipients"
    if env["suspect"]:
        return "suspect envelope (duplicated MDaemon headers): no Postfix counterpart"
    if not env["rcpts"]:
        return "no pending recipient"
    first = next((k for k, f in enumerate(fields) if f[0].lower() == "received"), None)
    p = {"sender": env["sender"], "rcpts": list(env["rcpts"]), "done": list(env["done"]),
         "alias": {}, "xclient": None, "helo": None, "method": "smtp"}
    # an mbox "From " line may stand above: smtpd keeps it (as X-Mailbox-Line)
    if first and any(not f[0].startswith("From ") for f in fields[:first]):
        return ("header fields above our receiving Received line (%s): a real smtpd prepends its line "
                "at the very top" % ", ".join(f[0] for f in fields[:first]))
    line = unfold(fields[first][1]) if first is not None else ""
    m = RCVD.match(line)
    if first is not None and PICKUP.match(line) and not env["client"]:
        p["method"] = "sendmail"
    elif m:
        ip = env["client"] or m.group("ip")
        if env["client"] and env["client"] != m.group("ip"):
            return "the envelope client differs from the client of our Received line"
        auth = env["auth"] or m.group("auth")
        if "SMTPA" in m.group("proto").upper() or "SMTPSA" in m.group("proto").upper():
            if not auth:
                return "authenticated without a user name: XCLIENT LOGIN needs one"
        name = env["name"] or (m.group("name") if m.group("name") != "unknown" else None)
        helo = env["helo"] or m.group("helo")
        xc = ["ADDR=" + ("IPV6:" + ip if ":" in ip else ip), "NAME=" + (name or "[UNAVAILABLE]")]
        if auth:
            xc.append("LOGIN=" + auth)
        p["xclient"] = " ".join(xc)
        p["helo"] = helo
        fa = m.group("for")
        if fa and len(env["rcpts"]) == 1 and fa.lower() != env["rcpts"][0].lower():
            p["alias"][fa] = env["rcpts"][0]
            p["rcpts"] = [fa]
    else:
        what = "no Received line" if first is None else "newest Received line: " + line[:60]
        return "not received by this Postfix (%s): a real Postfix adds its own hop" % what
    if first is not None:
        del fields[first]
    p["data"] = (b"".join(f[1] for f in fields) + body).decode("latin-1")
    return p


def plan_bounces(work):
    """WORK/bounces: "case sender auth|- client [body-bytes]" - a message
    Postfix itself bounces (its recipient goes to the error transport), so
    that the queue holds Postfix's own bounce to that sender, to be judged
    as the case; a body over bounce_size_limit makes Postfix return only
    the headers (text/rfc822-headers)"""
    plans = {}
    p = os.path.join(work, "bounces")
    if not os.path.exists(p):
        return plans
    for k, line in enumerate(open(p)):
        if not line.strip() or line.startswith("#"):
            continue
        case, sender, auth, ip, *size = line.split()
        body = "Hello.\n" + ("x" * 70 + "\n") * (int(size[0]) // 71 if size else 0)
        xc = "ADDR=%s NAME=[UNAVAILABLE]%s" % (ip, "" if auth == "-" else " LOGIN=" + auth)
        data = ("From: %s\nTo: nobody%d@bounce.invalid\nSubject: bounce me\nMessage-ID: <bounce%d@qscan.test>\n"
                "Date: Mon, 23 Nov 2026 10:00:00 +0000\n\n%s" % (sender, k, k, body))
        plans[case] = {"sender": sender, "rcpts": ["nobody%d@bounce.invalid" % k], "done": [], "alias": {},
                       "xclient": xc, "helo": "client.example", "method": "smtp", "data": data}
    return plans


def plan(corpus, work, skips):
    listed = {}
    for line in open(skips):
        if line.strip() and not line.startswith("#"):
            c, why = line.rstrip("\n").split(None, 1)
            listed[c] = why
    plans, bad, virtual, transport = plan_bounces(work), [], {}, {}
    for f in sorted(os.listdir(corpus)):
        if not re.match(r"^\d+-.*\.eml$", f):
            continue
        case = f[:-4]
        if case in listed or case in plans:
            continue
        p = plan_case(os.path.join(corpus, f))
        if not isinstance(p, str) and os.environ.get("QSCAN_NO_IPV6") and "IPV6:" in (p["xclient"] or ""):
            with open(skips, "a") as fh:
                fh.write("%s an IPv6 client, and this host has no IPv6\n" % case)
            continue
        if isinstance(p, str):
            bad.append("%s: %s" % (case, p))
            continue
        for a, r in p["alias"].items():
            if virtual.get(a, r) != r:
                bad.append("%s: alias %s already goes to %s" % (case, a, virtual[a]))
            virtual[a] = r
        for d in p["done"]:
            transport[d] = "discard:"
        plans[case] = p
    for c in listed:
        if c in plans:
            bad.append("%s: listed as skipped but injectable" % c)
    with open(os.path.join(work, "plan.json"), "w") as fh:
        json.dump(plans, fh)
    with open(os.path.join(work, "virtual"), "w") as fh:
        for a, r in sorted(virtual.items()):
            fh.write("%s %s\n" % (a, r))
    transport["bounce.invalid"] = "error:5.1.1 bounced by the qscan test"
    with open(os.path.join(work, "transport"), "w") as fh:
        for a, t in sorted(transport.items()):
            fh.write("%s %s\n" % (a, t))
    for b in bad:
        sys.stderr.write("crossfmt-inject: " + b + "\n")
    print(len(plans))
    return 1 if bad else 0


def queued(queue):
    """ids in deferred/+hold/, and whether anything is still on its way"""
    ids, busy = set(), False
    for q in ("deferred", "hold", "maildrop", "incoming", "active"):
        for root, _, files in os.walk(os.path.join(queue, q)):
            for f in files:
                if q in ("deferred", "hold"):
                    ids.add(f)
                else:
                    busy = True
    return ids, busy


def run(work, queue, port, conf, phase):
    plans = json.load(open(os.path.join(work, "plan.json")))
    out = open(os.path.join(work, "map"), "a")
    rc = 0
    for case, p in sorted(plans.items()):
        if bool(p["done"]) != (phase == "done"):
            continue
        before, _ = queued(queue)
        data = p["data"].encode("latin-1")
        if p["method"] == "sendmail":
            cmd = ["sendmail", "-C", conf, "-f", p["sender"], "--"] + p["rcpts"]
            r = subprocess.run(cmd, input=data, capture_output=True)
        else:
            dfile = os.path.join(work, case + ".data")
            # swaks --data takes the message with CRLF and dot-stuffs it
            open(dfile, "wb").write(data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
            cmd = ["swaks", "--server", "127.0.0.1:" + port, "--timeout", "30",
                   "--from", p["sender"] if p["sender"] else "<>",
                   "--to", ",".join(p["rcpts"] + p["done"]), "--helo", p["helo"] or "localhost",
                   "--xclient", p["xclient"], "--data", "@" + dfile, "--suppress-data"]
            r = subprocess.run(cmd, capture_output=True)
        if r.returncode != 0:
            sys.stderr.write("crossfmt-inject: %s: %s failed (%d): %s\n" %
                             (case, cmd[0], r.returncode, (r.stdout + r.stderr).decode()[-600:]))
            return 1
        new, t = set(), time.time()
        while time.time() - t < 20:
            now, busy = queued(queue)
            new = now - before
            if new and not busy:
                break
            time.sleep(0.1)
        if len(new) != 1:
            sys.stderr.write("crossfmt-inject: %s: %d new queue files after 20 s (see the mail log)\n" %
                             (case, len(new)))
            return 1
        out.write("%s %s\n" % (case, new.pop()))
        out.flush()
    return rc


def main(argv):
    if len(argv) == 5 and argv[1] == "plan":
        return plan(argv[2], argv[3], argv[4])
    if len(argv) == 7 and argv[1] == "run" and argv[6] in ("done", "rest"):
        return run(argv[2], argv[3], argv[4], argv[5], argv[6])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
