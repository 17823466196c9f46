#!/bin/sh
# 1003-postfix-live: the Postfix reader against a real, running Postfix.
#
# Starts a private instance (t/lib/postfix-instance.sh), fills its
# deferred queue through every path qscan must understand (local
# sendmail, SMTP, XCLIENT with a spoofed client/HELO/SASL login, many
# recipients, a line longer than 2048 bytes, a null-sender DSN with a
# message/rfc822 part, short and long queue IDs, an IPv6 client, a
# milter that rewrites headers and adds a recipient), then compares what
# t/pfdump reads with Postfix's own tools for EVERY message:
#   postqueue -j : id, queue, sender, pending recipients, arrival, size
#   postcat -q   : client IP, HELO, AUTH user (A records), header block
# The instance is stopped on exit; the test checks no process is left.
. "$QSCAN_SRCDIR/t/lib/postfix-instance.sh"

PFDUMP=${QSCAN_BUILDDIR:-.}/t/pfdump
if ! why=$(pf_check_tools); then
	echo "1..0 # SKIP $why"
	exit 0
fi
[ -x "$PFDUMP" ] || { echo "1..0 # SKIP $PFDUMP not built"; exit 0; }

n=0 failed=0
t_ok() {	# t_ok STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=1
	fi
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/qscan-1003-XXXXXX") || exit 1
chmod 755 "$tmp"	# Postfix daemons run as postfix and must reach it
cleanup() {
	[ -n "${KEEP:-}" ] && cp -r "$tmp" /tmp/keep-1003
	pf_stop
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

if ! pf_start "$tmp/pf" "inet_protocols = all" "mynetworks = 127.0.0.0/8 203.0.113.0/24 198.51.100.0/24 [2001:db8::]/32" \
	2>"$tmp/start.err"; then
	echo "Bail out! cannot start a private Postfix: $(tr '\n' ' ' < "$tmp/start.err")"
	exit 1
fi
echo "# private Postfix in $PF_DIR, smtpd on 127.0.0.1:$PF_PORT"
conf=$PF_CONF
expect=0
inject() {	# inject DESC COMMAND... ; counts one queued message
	if "$@" >"$tmp/inject.out" 2>&1; then
		expect=$((expect + 1))
		t_ok 0 "injected: $desc"
	else
		t_ok 1 "injected: $desc"
		sed 's/^/# /' "$tmp/inject.out"
	fi
}

long=$(python3 -c 'print("LONG:" + "x" * 3000)')
printf 'From: "Cheap Pills" <spammer@spam.example>\nTo: victim1@example.com\nSubject: Buy cheap pills now\nMessage-ID: <live-1@spam.example>\n\nHello, local submission.\n' > "$tmp/m1"
desc="local sendmail, 2 recipients"
inject pf_inject_sendmail spammer@spam.example victim1@example.com victim2@example.net < "$tmp/m1"

desc="SMTP, 3 recipients, a 3005-byte line"
inject pf_inject_smtp --helo spamhelo.example --from winner@lotto.example \
	--to victim3@example.org,victim4@example.com,victim5@example.net \
	--header "Subject: You won" --body "first line
$long
end."

desc="XCLIENT ADDR/NAME/HELO/LOGIN"
inject pf_inject_smtp --helo bad-helo.example \
	--xclient "ADDR=203.0.113.77 NAME=mail.bad.example HELO=xclient-helo.example LOGIN=compromised-user" \
	--from bounce@phish.example --to victim6@example.com,victim7@example.com \
	--header "Subject: Verify your account" --body "fixture 3"

# IPv6 needs inet_protocols to include ipv6 and the host to have it
v6=no
if pf_inject_smtp --helo v6.example --xclient "ADDR=IPV6:2001:db8::25 NAME=[UNAVAILABLE]" \
	--from six@spam.example --to victim8@example.com --body "ipv6" >"$tmp/inject.out" 2>&1; then
	v6=yes expect=$((expect + 1))
	t_ok 0 "injected: XCLIENT with an IPv6 client"
else
	n=$((n + 1))
	echo "ok $n # SKIP XCLIENT with an IPv6 client: $(grep -m1 '<\*\*' "$tmp/inject.out")"
fi

cat > "$tmp/dsn" <<'EOF'
From: MAILER-DAEMON@bounce.example (Mail Delivery System)
To: forged-victim@example.com
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain

Your message could not be delivered.

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; bounce.example
Final-Recipient: rfc822; nobody@bounce.example
Action: failed
Status: 5.1.1

--BOUNDARY
Content-Type: message/rfc822

Received: from spammer-pc (unknown [192.0.2.66])
	by mx.bounce.example with SMTP; Mon, 1 Jan 2024 00:00:00 +0000
From: forged-victim@example.com
To: nobody@bounce.example
Subject: backscatter spam

buy now
--BOUNDARY--
EOF
desc="null sender DSN with a message/rfc822 part"
inject pf_inject_smtp --helo bounce.example --from '<>' --to forged-victim@example.com --data "$tmp/dsn"

pf_conf "enable_long_queue_ids = yes"
desc="long queue ID, local sendmail"
inject pf_inject_sendmail longid@spam.example victim9@example.com < "$tmp/m1"
desc="long queue ID, SMTP"
inject pf_inject_smtp --helo longid.example --from longid2@spam.example --to victim10@example.com \
	--body "long id smtp"

if pf_milter_start; then
	desc="through the milter (subject rewritten, headers and a recipient added)"
	inject pf_inject_smtp --xclient "ADDR=198.51.100.23" --helo pharma-blast.example \
		--from promo@pharma.example --to victim11@example.com \
		--header "Subject: Viagra discount" --body "milter-modified"
	milter=yes
else
	echo "# no milter message: $PF_MILTER_WHY"
	milter=no
fi

pf_wait_queued "$expect" 90 2>"$tmp/wait.err"
t_ok $? "all $expect messages reached deferred/ $(cat "$tmp/wait.err")"

"$PFDUMP" -H -B "$PF_QUEUE" > "$tmp/dump.jsonl" 2>"$tmp/dump.err"
t_ok $? "pfdump walked the live queue"
pf_queue_json > "$tmp/pq.jsonl" 2>/dev/null
for id in $(python3 -c 'import json,sys
for l in open(sys.argv[1]): print(json.loads(l)["queue_id"])' "$tmp/pq.jsonl"); do
	postcat -c "$conf" -e -q "$id" > "$tmp/env.$id" 2>&1
	postcat -c "$conf" -h -q "$id" > "$tmp/hdr.$id" 2>&1
	postcat -c "$conf" -b -q "$id" > "$tmp/body.$id" 2>&1
done

# compare; prints "PASS desc" / "FAIL desc" / "# diag"
python3 - "$tmp" "$milter" "$v6" > "$tmp/cmp.out" 2>&1 <<'EOF'
import json, sys, os
tmp, milter, v6 = sys.argv[1], sys.argv[2], sys.argv[3]
dump = {}
for l in open(os.path.join(tmp, "dump.jsonl")):
    m = json.loads(l)
    dump[m["id"]] = m
pq = [json.loads(l) for l in open(os.path.join(tmp, "pq.jsonl"))]

def check(cond, desc, got=None, want=None):
    print(("PASS " if cond else "FAIL ") + desc)
    if not cond:
        print("# got:  %r\n# want: %r" % (got, want))

check(sorted(dump) == sorted(p["queue_id"] for p in pq),
      "same %d queue IDs as postqueue -j" % len(pq), sorted(dump), sorted(p["queue_id"] for p in pq))
kinds = {"long": 0, "short": 0}
for p in pq:
    i = p["queue_id"]
    m = dump.get(i)
    if m is None:
        check(False, "%s: read by pfdump" % i)
        continue
    kinds["long" if "z" in i else "short"] += 1
    check(m["error"] is None, "%s: no error" % i, m["error"], None)
    check(m["queue"] == p["queue_name"], "%s: queue" % i, m["queue"], p["queue_name"])
    # showq prints the null sender as MAILER-DAEMON
    want = "" if p["sender"] == "MAILER-DAEMON" else p["sender"]
    check(m["sender"] == want, "%s: sender" % i, m["sender"], want)
    # showq lists them in its own order: compare as sets (with repeats)
    pend = sorted(r["addr"] for r in m["rcpts"] if not r["done"])
    want = sorted(r["address"] for r in p["recipients"])
    check(pend == want, "%s: pending recipients" % i, pend, want)
    check(m["arrival"] == p["arrival_time"], "%s: arrival" % i, m["arrival"], p["arrival_time"])
    check(m["size"] == p["message_size"], "%s: size" % i, m["size"], p["message_size"])
    # postcat -e: the A records as Postfix itself prints them
    attrs = {}
    for line in open(os.path.join(tmp, "env." + i), errors="replace"):
        if line.startswith("named_attribute: ") and "=" in line:
            k, v = line[len("named_attribute: "):].rstrip("\n").split("=", 1)
            attrs[k] = v
    ip = attrs.get("log_client_address", attrs.get("client_address"))
    if ip and ip.lower().startswith("ipv6:"):
        ip = ip[5:]
    helo = attrs.get("log_helo_name", attrs.get("helo_name"))
    check(m["client_ip"] == ip, "%s: client IP" % i, m["client_ip"], ip)
    check(m["client_helo"] == helo, "%s: HELO" % i, m["client_helo"], helo)
    check(m["auth_user"] == attrs.get("sasl_username"), "%s: AUTH user" % i,
          m["auth_user"], attrs.get("sasl_username"))
    check(m["local"] == (ip is None), "%s: local submission flag" % i, m["local"], ip is None)
    hdr = open(os.path.join(tmp, "hdr." + i), "rb").read().decode("utf-8", "replace")
    check(m["hdr_complete"] and m["hdr"] == hdr and (m["sender"] == "" or m["body_len"] == 0), "%s: header block equals postcat -h" % i,
          m["hdr"], hdr)

def find(pred):
    return [m for m in dump.values() if pred(m)]

x = find(lambda m: m["auth_user"] == "compromised-user")
check(len(x) == 1 and x[0]["client_ip"] == "203.0.113.77" and x[0]["client_name"] == "mail.bad.example",
      "XCLIENT message: IP, name, SASL user", x, None)
x = find(lambda m: m["client_ip"] == "2001:db8::25")
check(len(x) == (1 if v6 == "yes" else 0), "IPv6 client address without its IPv6: prefix", x, None)
x = find(lambda m: m["sender"] == "winner@lotto.example")
check(len(x) == 1 and ("LONG:" + "x" * 3000) not in x[0]["hdr"] and len(x[0]["rcpts"]) == 3,
      "long-line message: 3 recipients, body not in the header block", x, None)
x = find(lambda m: m["sender"] == "")
# postcat -b starts with the empty line that ends the header block
body = open(os.path.join(tmp, "body." + x[0]["id"]), "rb").read().decode()[1:] if x else None
check(len(x) == 1 and x[0]["body_complete"] and "Content-Type: message/rfc822\n" in x[0]["body"]
      and x[0]["body"] == body,
      "null sender: body read completely (DSN with message/rfc822)", x, None)
check(kinds["long"] >= 2 and kinds["short"] >= 4, "long and short queue IDs: %r" % kinds)
x = find(lambda m: m["sender"] == "spammer@spam.example")
check(len(x) == 1 and x[0]["local"] and x[0]["client_ip"] is None, "sendmail message is local", x, None)
if milter == "yes":
    x = find(lambda m: m["sender"] == "promo@pharma.example")
    check(len(x) == 1 and "Subject: [SPAM] Viagra discount\n" in x[0]["hdr"]
          and "X-Spam-Flag: YES\n" in x[0]["hdr"]
          and [r["addr"] for r in x[0]["rcpts"]] == ["victim11@example.com", "quarantine@example.com"],
          "milter message: rewritten subject, added headers and recipient", x, None)
EOF
while IFS= read -r line; do
	case $line in
	"PASS "*) t_ok 0 "${line#PASS }" ;;
	"FAIL "*) t_ok 1 "${line#FAIL }" ;;
	*) echo "# $line" ;;
	esac
done < "$tmp/cmp.out"
grep -q '^PASS ' "$tmp/cmp.out"
t_ok $? "comparison ran"

# stop, and make sure nothing of the instance is left running
pf_stop
left=$(grep -ls "MAIL_CONFIG=$conf" /proc/[0-9]*/environ 2>/dev/null | wc -l)
t_ok "$left" "instance stopped, no process of it left ($left)"
echo "1..$n"
exit $failed
