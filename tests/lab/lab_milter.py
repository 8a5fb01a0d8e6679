#!/usr/bin/python3
"""lab_milter.py - a content milter for the lab, on libmilter (python3-milter).

SYNOPSIS
    lab_milter.py PORT [--pidfile FILE]

    (Not named milter.py: pymilter imports its C module "milter".)

DESCRIPTION
    What rspamd, MIMEDefang or spamass-milter do for Postfix (MILTER_README,
    smtpd_milters = inet:127.0.0.1:PORT): at the end of each message it adds
    a header, and acts on the Subject:
      "[hold]"    quarantines the message: Postfix's cleanup puts it in the
                  hold queue and logs "QID: milter-hold: END-OF-MESSAGE ...:
                  milter triggers HOLD action" (3.7 logs no reason of ours);
      "[reject]"  refuses it with 550 5.7.1: cleanup logs "QID: milter-reject:
                  END-OF-MESSAGE ..." and removes the queue file (Postfix
                  before 3.10 logs no "removed" for it);
      "[discard]" accepts it and drops it: cleanup logs "QID: milter-discard:
                  END-OF-MESSAGE ..." and removes the queue file;
      otherwise   accepts it.
    The protocol is libmilter's, as every C milter speaks it; the queue and
    every log line are the real Postfix's. Loopback only.
"""
import os
import sys

import Milter


class LabMilter(Milter.Base):
    def __init__(self):
        self.subject = ""

    def envfrom(self, mailfrom, *params):
        self.subject = ""
        return Milter.CONTINUE

    def header(self, name, value):
        if name.lower() == "subject":
            self.subject = value
        return Milter.CONTINUE

    def eom(self):
        self.addheader("X-Lab-Milter", "checked")
        if "[hold]" in self.subject:
            self.quarantine("held by the lab milter for review")
        elif "[reject]" in self.subject:
            self.setreply("550", "5.7.1", "spam refused by the lab milter")
            return Milter.REJECT
        elif "[discard]" in self.subject:
            return Milter.DISCARD
        return Milter.ACCEPT


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit("usage: lab_milter.py PORT [--pidfile FILE]")
    port = int(args[0])
    if "--pidfile" in args:
        with open(args[args.index("--pidfile") + 1], "w") as f:
            f.write("%d\n" % os.getpid())
    Milter.factory = LabMilter
    Milter.set_flags(Milter.ADDHDRS | Milter.QUARANTINE)
    Milter.runmilter("spamtop-lab", "inet:%d@127.0.0.1" % port, timeout=60)


if __name__ == "__main__":
    main()
