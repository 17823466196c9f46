#!/usr/bin/env python3
"""html_check.py PAGE STATS_JSONL BLOCKLIST_PLAIN - the numbers of a qscan
HTML report must equal `qscan stats --json` and `qscan blocklist` for the
same database. Prints one line per problem; exit 1 if any."""
import json
import sys
from html.parser import HTMLParser

V = ("relay", "legit", "unsure", "total")


class Hooks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.totals, self.days, self.rows, self.blocks, self.runs = None, [], [], [], 0
        self.bad = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "iframe", "object", "embed", "img", "link"):
            self.bad.append("unexpected <%s>" % tag)
        for k, v in attrs:
            if k in ("src", "href") or (k.startswith("on")):
                self.bad.append("unexpected attribute %s=%r" % (k, v))
        cls = a.get("class", "")
        if a.get("id") == "totals":
            self.totals = {k: int(a["data-" + k]) for k in V}
        elif tag == "g" and cls == "day":
            self.days.append((a["data-day"], {k: int(a["data-" + k]) for k in V}))
        elif tag == "tr" and cls == "row":
            self.rows.append((a["data-kind"], a["data-key"], {k: int(a["data-" + k]) for k in V}))
        elif tag == "tr" and cls == "block":
            self.blocks.append(a["data-ip"])
        elif tag == "tr" and cls == "run":
            self.runs += 1


def main():
    page = open(sys.argv[1], encoding="utf-8").read()
    h = Hooks()
    h.feed(page)
    errs = list(h.bad)
    lines = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
    summary = [o for o in lines if o["type"] == "summary"][0]
    if h.totals != {k: summary[k] for k in V}:
        errs.append("totals %r != summary %r" % (h.totals, summary))
    want_days = [(o["day"], {k: o[k] for k in V}) for o in lines if o["type"] == "day"]
    if h.days != want_days:
        errs.append("chart days %r != %r" % (h.days, want_days))
    want_rows = [(o["type"], o[o["type"]], {k: o[k] for k in V})
                 for o in lines if o["type"] in ("ip", "auth_user", "sender_domain")]
    if h.rows != want_rows:
        errs.append("ranking rows %r != %r" % (h.rows, want_rows))
    want_blocks = open(sys.argv[3], encoding="utf-8").read().split()
    if h.blocks != want_blocks:
        errs.append("block rows %r != %r" % (h.blocks, want_blocks))
    if h.runs == 0:
        errs.append("no run rows")
    for e in errs:
        print(e)
    print("checked: %d days, %d rows, %d blocks, %d runs" % (len(h.days), len(h.rows), len(h.blocks), h.runs))
    return 1 if errs else 0


sys.exit(main())
