#!/usr/bin/env python3
"""refuser.py - remote sites that refuse this server for its reputation.

SYNOPSIS
    refuser.py LISTEN_PORT [--pidfile FILE]

DESCRIPTION
    An SMTP server on 127.0.0.1:LISTEN_PORT that answers RCPT TO the way
    the big providers and DNS blocklist users answer a server that sends
    spam, by the recipient's domain (the texts as published: see
    core/logs/reputation.def for their sources):
      gmail.example     421-4.7.28 ... an unusual rate of unsolicited mail
                        (multi-line, as Gmail sends it; temporary)
      outlook.example   550 5.7.1 ... on our block list (S3150) (permanent)
      dnsbl.example     554 5.7.1 Service unavailable; Client host [IP]
                        blocked using zen.spamhaus.org (permanent)
      other             450 4.2.0 mailbox busy (not a reputation block)
    Postfix's own smtp client talks to it (transport_maps in the lab), so
    the log lines are the real Postfix's. Loopback only.
"""
import os
import socket
import sys
import threading

REPLIES = {
    "gmail.example": (b"421-4.7.28 [127.0.0.1] Our system has detected an unusual rate of\r\n"
                      b"421-4.7.28 unsolicited mail originating from your IP address. To protect our\r\n"
                      b"421-4.7.28 users from spam, mail sent from your IP address has been temporarily\r\n"
                      b"421 4.7.28 rate limited. - gsmtp\r\n"),
    "outlook.example": (b"550 5.7.1 Unfortunately, messages from [127.0.0.1] weren't sent. Please contact "
                        b"your Internet service provider since part of their network is on our block list "
                        b"(S3150).\r\n"),
    "dnsbl.example": b"554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org\r\n",
}
BUSY = b"450 4.2.0 <x>: mailbox busy, try again later\r\n"


def serve(sock):
    f = sock.makefile("rb")
    sock.sendall(b"220 refuser.example ESMTP\r\n")
    while True:
        line = f.readline()
        if not line:
            break
        cmd = line.strip().upper()
        if cmd.startswith(b"EHLO") or cmd.startswith(b"HELO"):
            sock.sendall(b"250-refuser.example\r\n250 8BITMIME\r\n")
        elif cmd.startswith(b"MAIL"):
            sock.sendall(b"250 2.1.0 Ok\r\n")
        elif cmd.startswith(b"RCPT"):
            addr = line.decode("latin-1").split(":", 1)[-1].strip().strip("<>").lower()
            domain = addr.rsplit("@", 1)[-1].rstrip(">")
            sock.sendall(REPLIES.get(domain, BUSY))
        elif cmd.startswith(b"QUIT"):
            sock.sendall(b"221 2.0.0 Bye\r\n")
            break
        elif cmd.startswith(b"RSET") or cmd.startswith(b"NOOP"):
            sock.sendall(b"250 2.0.0 Ok\r\n")
        else:
            sock.sendall(b"502 5.5.2 Error: command not recognized\r\n")
    sock.close()


def main():
    port = int(sys.argv[1])
    if "--pidfile" in sys.argv:
        with open(sys.argv[sys.argv.index("--pidfile") + 1], "w") as p:
            p.write("%d\n" % os.getpid())
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(16)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
