/*
 * genlog - write a realistic, reproducible Postfix mail log for benchmarks.
 *
 * usage: genlog LINES [SEED [START]] > mail.log   (START: the first line's
 * time, seconds since the epoch; 2026-11-24 00:00 UTC by default)
 *
 * Traffic: normal users sending over SASL, a trusted relay host, inbound
 * mail, connection chatter, rejects, brute-force SASL failures, other
 * programs' lines, and, from a third of the way in, an outbreak: one
 * compromised account sending from hundreds of client IPs and a trusted
 * relay pumping unauthenticated mail with many null senders. Every message
 * walks smtpd -> cleanup -> qmgr -> smtp -> qmgr removed, some deferred
 * and retried first. Same LINES and SEED, same bytes. The addresses are
 * documentation ranges and example domains; this program only writes text.
 * With GENLOG_FRESH=1 in the environment the outbreak never repeats itself:
 * every spam message has a new sender and a new client IP (2001:db8::/32),
 * the worst case for memory (the soak test, tools/soak.sh).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng_state;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static uint32_t below(uint32_t n) { return rnd() % n; }

static long lines_left;
static int64_t now = 1795478400;	/* 2026-11-24T00:00:00Z */
static uint64_t queue_serial = 0x2A0000;
static char stamp[32];
static int64_t stamp_for = -1;

static const char *ts(void)
{
	if (stamp_for != now) {
		time_t t = (time_t)now;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
		stamp_for = now;
	}
	return stamp;
}

#define EMIT(...) do { printf(__VA_ARGS__); lines_left--; } while (0)

static void client_ip(char *buf, size_t n, uint32_t pool, uint32_t i)
{
	static const char *const nets[] = {"192.0.2", "198.51.100", "203.0.113"};
	if (pool == 0)
		snprintf(buf, n, "%s.%u", nets[i % 3], 1 + i % 250);
	else	/* the botnet: spread over many addresses */
		snprintf(buf, n, "%u.%u.%u.%u", 11 + i % 200, (i / 200) % 250, (i * 7) % 250, 1 + i % 253);
}

static const char *const tlds[] = {"example", "example.com", "example.net", "example.org"};

/* one message through smtpd, cleanup, qmgr, smtp and removal */
static void message(const char *ip, const char *user, const char *sender, int rcpts, int defer)
{
	uint64_t q = queue_serial++ * 2654435761u;
	char qid[16];
	snprintf(qid, sizeof(qid), "%011llX", (unsigned long long)(q & 0xFFFFFFFFFFFull));
	int pid = 1000 + (int)below(30000);
	EMIT("%s mx postfix/smtpd[%d]: connect from unknown[%s]\n", ts(), pid, ip);
	if (user)
		EMIT("%s mx postfix/smtpd[%d]: %s: client=unknown[%s], sasl_method=LOGIN, sasl_username=%s\n",
		     ts(), pid, qid, ip, user);
	else
		EMIT("%s mx postfix/smtpd[%d]: %s: client=unknown[%s]\n", ts(), pid, qid, ip);
	EMIT("%s mx postfix/cleanup[%d]: %s: message-id=<%llx.%u@%s>\n", ts(), pid + 3, qid,
	     (unsigned long long)q, below(100000), tlds[below(4)]);
	int size = 800 + (int)below(40000);
	EMIT("%s mx postfix/qmgr[777]: %s: from=<%s>, size=%d, nrcpt=%d (queue active)\n", ts(), qid,
	     sender, size, rcpts);
	EMIT("%s mx postfix/smtpd[%d]: disconnect from unknown[%s] ehlo=1 auth=%d mail=1 rcpt=%d data=1 quit=1 commands=%d\n",
	     ts(), pid, ip, user ? 1 : 0, rcpts, 5 + rcpts);
	for (int attempt = 0; attempt <= defer; attempt++) {
		for (int r = 0; r < rcpts; r++) {
			uint32_t who = below(50000);
			if (attempt < defer)
				EMIT("%s mx postfix/smtp[%d]: %s: to=<user%u@%s>, relay=mx%u.%s[198.51.100.%u]:25, "
				     "delay=%u, delays=0.1/0/%u/0, dsn=4.7.0, status=deferred (host mx%u.%s[198.51.100.%u] "
				     "said: 421 4.7.0 Try again later (in reply to end of DATA command))\n",
				     ts(), pid + 7, qid, who, tlds[who % 4], who % 9, tlds[who % 4], who % 250,
				     1 + attempt * 300, below(5), who % 9, tlds[who % 4], who % 250);
			else
				EMIT("%s mx postfix/smtp[%d]: %s: to=<user%u@%s>, relay=mx%u.%s[198.51.100.%u]:25, "
				     "delay=%u, delays=0.1/0/0.3/0.2, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as %X)\n",
				     ts(), pid + 7, qid, who, tlds[who % 4], who % 9, tlds[who % 4], who % 250,
				     1 + attempt * 300, below(0xFFFFFF));
		}
		if (attempt < defer)
			EMIT("%s mx postfix/qmgr[777]: %s: from=<%s>, size=%d, nrcpt=%d (queue active)\n", ts(),
			     qid, sender, size, rcpts);
	}
	EMIT("%s mx postfix/qmgr[777]: %s: removed\n", ts(), qid);
}

static void chatter(void)
{
	char ip[32];
	client_ip(ip, sizeof(ip), 1, below(100000));
	int pid = 1000 + (int)below(30000);
	switch (below(6)) {
	case 0:
		EMIT("%s mx postfix/smtpd[%d]: warning: unknown[%s]: SASL LOGIN authentication failed: "
		     "UGFzc3dvcmQ6, sasl_username=user%u@example.com\n", ts(), pid, ip, below(500));
		break;
	case 1:
		EMIT("%s mx postfix/smtpd[%d]: NOQUEUE: reject: RCPT from unknown[%s]: 554 5.7.1 <x%u@elsewhere.example>: "
		     "Relay access denied; from=<spam%u@bulk.example> to=<x%u@elsewhere.example> proto=ESMTP helo=<pc%u>\n",
		     ts(), pid, ip, below(9999), below(9999), below(9999), below(999));
		break;
	case 2:
		EMIT("%s mx postfix/smtpd[%d]: NOQUEUE: reject: RCPT from unknown[%s]: 554 5.7.1 Service unavailable; "
		     "Client host [%s] blocked using zen.spamhaus.example; from=<a%u@b.example> to=<u%u@example.com> "
		     "proto=ESMTP helo=<h%u>\n", ts(), pid, ip, ip, below(9999), below(999), below(999));
		break;
	case 3:
		EMIT("%s mx postfix/smtpd[%d]: lost connection after AUTH from unknown[%s]\n", ts(), pid, ip);
		break;
	case 4:
		EMIT("%s mx dovecot: imap-login: Login: user=<user%u@example.com>, method=PLAIN, rip=%s, lip=192.0.2.1, "
		     "mpid=%d, TLS, session=<abcDEF%u>\n", ts(), below(500), ip, pid, below(99999));
		break;
	default:
		EMIT("%s mx postfix/anvil[99]: statistics: max connection rate %u/60s for (smtpd:%s) at %s\n", ts(),
		     1 + below(20), ip, ts());
		break;
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: genlog LINES [SEED [START]]\n");
		return 2;
	}
	long total = atol(argv[1]);
	rng_state = argc > 2 ? strtoull(argv[2], NULL, 10) : 20261124;
	if (argc > 3)
		now = strtoll(argv[3], NULL, 10);
	if (rng_state == 0)
		rng_state = 1;
	static char obuf[1 << 20];
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	lines_left = total;
	long outbreak_at = total / 3;
	char ip[48], user[64], sender[96];
	int fresh = getenv("GENLOG_FRESH") != NULL;
	uint32_t serial = 0;
	while (lines_left > 0) {
		int outbreak = lines_left < total - outbreak_at;
		uint32_t kind = below(100);
		if (below(16) == 0)
			now++;
		if (kind < 30) {
			chatter();
		} else if (outbreak && kind < 60) {	/* compromised account, many IPs */
			client_ip(ip, sizeof(ip), 1, below(800));
			snprintf(sender, sizeof(sender), "promo%u@deals%u.example", below(5000), below(300));
			if (fresh) {
				serial++;
				snprintf(ip, sizeof(ip), "2001:db8::%x:%x", serial >> 16, serial & 0xffff);
				snprintf(sender, sizeof(sender), "promo%u@deals%u.example", serial, below(300));
			}
			message(ip, "victim@example.com", sender, 1 + (int)below(5), below(4) == 0);
		} else if (outbreak && kind < 75) {	/* trusted relay, null senders */
			snprintf(sender, sizeof(sender), below(3) ? "noreply%u@bulk%u.example" : "", below(3000), below(50));
			message("192.0.2.25", NULL, sender, 1 + (int)below(3), below(5) == 0);
		} else {	/* normal users */
			uint32_t u = below(400);
			client_ip(ip, sizeof(ip), 0, u);
			snprintf(user, sizeof(user), "user%u@example.com", u);
			snprintf(sender, sizeof(sender), "user%u@example.com", u);
			message(ip, user, sender, 1 + (int)below(2), below(10) == 0);
		}
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
