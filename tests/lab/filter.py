#!/usr/bin/env python3
"""filter.py - an amavis-style after-queue content filter for the lab.

SYNOPSIS
    filter.py LISTEN_PORT REINJECT_PORT [--xforward] [--pidfile FILE]

DESCRIPTION
    What amavisd-new does with Postfix (FILTER_README, "advanced content
    filter"): Postfix's smtp client hands each message to this SMTP server on
    127.0.0.1:LISTEN_PORT; it passes the message, unchanged, to Postfix's
    re-injection smtpd on 127.0.0.1:REINJECT_PORT, and only once that one
    queued it (under a new queue ID) answers Postfix the way amavis does:
    "250 2.0.0 from MTA(smtp:[127.0.0.1]:PORT): 250 2.0.0 Ok: queued as QID".

    --xforward: it offers XFORWARD to Postfix and passes the attributes it
    got (NAME, ADDR, IDENT ...) on to the re-injection smtpd, as amavis does
    by default; without it nothing of the origin is passed on.

    The filter is a stand-in for amavis only; the queues, the re-injection
    listener and every log line are the real Postfix's. Loopback only.
"""
import socket
import sys
import threading
import os

HOST = "127.0.0.1"


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def send(self, text):
        self.sock.sendall(text.encode() + b"\r\n")

    def reply(self):
        """A whole (multi-line) reply: (code, last line)."""
        while True:
            line = self.line()
            if line is None:
                raise IOError("re-injection smtpd closed the connection")
            if len(line) < 4 or line[3:4] != b"-":
                return int(line[:3]), line.decode(errors="replace")


def reinject(port, xforward, sender, rcpts, data):
    s = socket.create_connection((HOST, port), timeout=30)
    c = Conn(s)
    try:
        c.reply()
        c.send("EHLO filter.lab.example")
        c.reply()
        for attrs in xforward:
            c.send("XFORWARD " + attrs)
            code, last = c.reply()
            if code != 250:
                return code, last
        c.send("MAIL FROM:" + sender)
        code, last = c.reply()
        if code != 250:
            return code, last
        for r in rcpts:
            c.send("RCPT TO:" + r)
            c.reply()
        c.send("DATA")
        code, last = c.reply()
        if code != 354:
            return code, last
        s.sendall(data + b".\r\n")
        code, last = c.reply()
        c.send("QUIT")
        return code, last
    finally:
        s.close()


def serve(sock, port, offer_xforward):
    c = Conn(sock)
    c.send("220 filter.lab.example ESMTP lab content filter")
    xforward, sender, rcpts = [], None, []
    while True:
        line = c.line()
        if line is None:
            break
        cmd = line.decode(errors="replace")
        verb = cmd.split(" ", 1)[0].upper()
        if verb in ("EHLO", "HELO"):
            if offer_xforward and verb == "EHLO":
                c.send("250-filter.lab.example")
                c.send("250 XFORWARD NAME ADDR PROTO HELO IDENT SOURCE PORT")
            else:
                c.send("250 filter.lab.example")
        elif verb == "XFORWARD" and offer_xforward:
            xforward.append(cmd.split(" ", 1)[1])
            c.send("250 2.0.0 Ok")
        elif verb == "MAIL":
            sender = cmd.split(":", 1)[1].split(" ", 1)[0]
            c.send("250 2.1.0 Ok")
        elif verb == "RCPT":
            rcpts.append(cmd.split(":", 1)[1].split(" ", 1)[0])
            c.send("250 2.1.5 Ok")
        elif verb == "DATA":
            c.send("354 End data with <CR><LF>.<CR><LF>")
            data = b""
            while True:
                dl = c.line()
                if dl is None:
                    return
                if dl == b".":
                    break
                data += dl + b"\r\n"
            try:
                code, last = reinject(port, xforward, sender, rcpts, data)
            except (OSError, IOError) as e:
                c.send("451 4.3.0 re-injection failed: %s" % e)
            else:
                if code == 250:
                    c.send("250 2.0.0 from MTA(smtp:[%s]:%d): %s" % (HOST, port, last))
                else:
                    c.send("451 4.3.0 re-injection refused: %s" % last)
            xforward, sender, rcpts = [], None, []
        elif verb == "RSET":
            xforward, sender, rcpts = [], None, []
            c.send("250 2.0.0 Ok")
        elif verb == "NOOP":
            c.send("250 2.0.0 Ok")
        elif verb == "QUIT":
            c.send("221 2.0.0 Bye")
            break
        else:
            c.send("502 5.5.2 Error: command not recognized")
    sock.close()


def main():
    args = sys.argv[1:]
    offer = "--xforward" in args
    pidfile = None
    if "--pidfile" in args:
        pidfile = args[args.index("--pidfile") + 1]
    listen_port, port = int(args[0]), int(args[1])
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((HOST, listen_port))
    srv.listen(16)
    if pidfile:
        with open(pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    while True:
        sock, _ = srv.accept()
        threading.Thread(target=serve, args=(sock, port, offer), daemon=True).start()


if __name__ == "__main__":
    main()
