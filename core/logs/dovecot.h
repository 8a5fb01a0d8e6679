/*
 * dovecot - the Dovecot lines that say who sent a message Postfix queued,
 * and who logged in or failed to, at any of Dovecot's login services.
 *
 * Dovecot's submission service (dovecot-submissiond) takes SMTP AUTH
 * itself and relays the mail to Postfix. Without XCLIENT, Postfix logs
 * the relay's own address (client=localhost[127.0.0.1], no
 * sasl_username): every account's mail looks like one trusted host's.
 * Dovecot names the account and Postfix's queue ID in its own line:
 *
 *   submission(USER)<PID><SESSION>: Successfully relayed message:
 *       from=<S>, size=N, id=TRANS, nrcpt=N, reply=`250 2.0.0 Ok: queued as QID'
 *   (or "from=<S>, to=<R>, size=N, id=TRANS, rcpt=I/N, reply=`...'")
 *   submission-login: Login: user=<USER>, method=M, rip=IP, lip=IP,
 *       mpid=PID, TLS, session=<SESSION>
 *
 * The same login processes serve IMAP, POP3 and ManageSieve, against the
 * same passwords: a password guessed at imap-login sends mail tomorrow.
 * Their failures end a client as
 *
 *   imap-login: Disconnected (auth failed, N attempts in S secs): ELEMENTS
 *   pop3-login: Aborted login (auth failed, N attempts in S secs): ELEMENTS
 *   imap-login: Login aborted: Connection closed (auth failed, N attempts
 *       in S secs) (auth_failed): ELEMENTS                   (Dovecot 2.4)
 *
 * with ELEMENTS "user=<NAME>, method=M, rip=IP, lip=IP, TLS, session=<S>"
 * (older versions: no session, no "in S secs"); a success is "Login:
 * ELEMENTS" ("Logged in: " in 2.4).
 *
 * (src/submission/submission-backend-relay.c, src/login-common: the
 * default mail_log_prefix "%s(%u)<%{pid}><%{session}>: " and
 * login_log_format_elements.) TRANS is also the "id" of the Received
 * header Dovecot adds on top of the message: it proves a queue file.
 *
 * The sender and the name tried at a failed login are the client's
 * words: the fields Dovecot writes after them are read from the end of
 * the line, so text inside them cannot stand for a field.
 * No allocation; views into the text.
 */
#ifndef SPAMTOP_DOVECOT_H
#define SPAMTOP_DOVECOT_H

#include "core/base/buf.h"

enum dovecot_kind {
	DV_NONE = 0,
	DV_LOGIN,		/* SERVICE-login: Login: ... */
	DV_RELAYED,		/* submission(USER)...: Successfully relayed message: ... queued as QID */
	DV_AUTH_FAILED,		/* SERVICE-login: Disconnected ... (auth failed, N attempts ...) */
};

struct dovecot_event {
	enum dovecot_kind kind;
	struct strview service;		/* login, failed: "submission", "imap", "pop3", "managesieve" */
	struct strview user;		/* the account: the prefix's (relayed), user=<> (login, failed) */
	struct strview session;		/* the session ID both lines of a client carry */
	struct strview client_ip;	/* login, failed: rip= */
	struct strview method;		/* login, failed: method= */
	struct strview trans_id;	/* relayed: id=, the Received header's id */
	struct strview queued_as;	/* relayed: the queue ID in Postfix's reply */
	long attempts;			/* failed: N attempts */
};

/* Reads the text after "dovecot: " (syslog), or a line of Dovecot's own log
 * file from its prefix on ("imap-login: Info: Login: ...", see logline.h);
 * DV_NONE for any other line. */
enum dovecot_kind dovecot_parse(struct strview text, struct dovecot_event *ev);

#endif
