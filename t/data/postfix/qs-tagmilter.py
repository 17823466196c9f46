#!/usr/bin/python3
# qs-tagmilter.py PORT - test milter for t/lib/postfix-instance.sh: prefixes the
# Subject with "[SPAM] ", adds X-Spam-Flag and X-Spam-Score headers and
# the recipient quarantine@example.com, so that cleanup writes pointer
# records and a heap after the E record (formats doc §1.9e).
import sys
import Milter


class Tag(Milter.Base):
    def __init__(self):
        self.subject = None

    @Milter.noreply
    def header(self, name, value):
        if name.lower() == 'subject':
            self.subject = value
        return Milter.CONTINUE

    def eom(self):
        self.addheader('X-Spam-Flag', 'YES')
        self.addheader('X-Spam-Score', '15.3')
        if self.subject is not None:
            self.chgheader('Subject', 1, '[SPAM] ' + self.subject)
        self.addrcpt('<quarantine@example.com>')
        return Milter.ACCEPT


Milter.factory = Tag
Milter.set_flags(Milter.ADDHDRS | Milter.CHGHDRS | Milter.ADDRCPT)
Milter.runmilter("qscan-test-milter", "inet:%d@127.0.0.1" % int(sys.argv[1]), 60)
