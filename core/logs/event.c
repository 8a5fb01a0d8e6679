/*
 * event - field-by-field scanner for Postfix log messages (see event.h).
 *
 * A pointer walks the text; each form is recognized by its fixed words.
 * Values end where Postfix ends them (", " between fields, ">" closing an
 * address followed by "," or " " or the end), so an address holding commas,
 * quotes or brackets is still read whole.
 */
#define _GNU_SOURCE		/* memmem */
#include "core/logs/event.h"
#include "core/logs/reputation.h"
#include "core/base/intern.h"

#include <string.h>

#define LIT(s) (s), (sizeof(s) - 1)

struct cursor {
	const char *p;
	const char *end;
};

static size_t left(const struct cursor *c) { return (size_t)(c->end - c->p); }

/* eat - consume a literal if the text starts with it */
static int eat(struct cursor *c, const char *lit, size_t n)
{
	if (left(c) < n || *c->p != *lit || memcmp(c->p, lit, n) != 0)	/* most tries fail at the first byte */
		return 0;
	c->p += n;
	return 1;
}

/* span - the bytes from a up to b */
static struct strview span(const char *a, const char *b)
{
	return (struct strview){a, (size_t)(b - a)};
}

static const char *find(const char *p, const char *end, const char *lit, size_t n)
{
	if (p >= end)
		return NULL;
	return memmem(p, (size_t)(end - p), lit, n);
}

/* find_last - last occurrence of lit in [p, end) */
static const char *find_last(const char *p, const char *end, const char *lit, size_t n)
{
	const char *hit = NULL, *q;
	while ((q = find(p, end, lit, n)) != NULL) {
		hit = q;
		p = q + 1;
	}
	return hit;
}

static int sv_has(struct strview v, const char *lit, size_t n)
{
	return v.len >= n && memmem(v.ptr, v.len, lit, n) != NULL;
}

/*
 * Character classes of queue IDs (Postfix's global/mail_queue.h). A short ID
 * is upper-case hex: 5 digits of microseconds, then the inode (6 or more in
 * all). A long ID (enable_long_queue_ids) is in the 52-character alphabet of
 * digits and consonants, `z` included: seconds (6 or more), microseconds (4),
 * `z`, then the inode in base 51 (no `z`). Only the last `z` separates the
 * inode (MQID_FIND_LG_INUM_SEPARATOR uses strrchr), and it stands at least
 * 10 characters in; the time part may hold any number of `z`.
 */
enum { QC_HEX = 1, QC_LONG = 2, QC_Z = 4 };
enum { QID_SHORT_MIN = 6, QID_LONG_TIME_MIN = 10, QID_MAX = 32 };

/* qid_class - built at compile time (the queue reader's thread reads it too) */
static const unsigned char qid_class[256] = {
	['0' ... '9'] = QC_HEX | QC_LONG, ['B' ... 'D'] = QC_HEX | QC_LONG, ['F'] = QC_HEX | QC_LONG,
	['A'] = QC_HEX, ['E'] = QC_HEX,	/* vowels: hex digits, never in long IDs */
	['G' ... 'H'] = QC_LONG, ['J' ... 'N'] = QC_LONG, ['P' ... 'T'] = QC_LONG, ['V' ... 'Z'] = QC_LONG,
	['b' ... 'd'] = QC_LONG, ['f' ... 'h'] = QC_LONG, ['j' ... 'n'] = QC_LONG, ['p' ... 't'] = QC_LONG,
	['v' ... 'y'] = QC_LONG, ['z'] = QC_LONG | QC_Z,
};

/*
 * qid_ok - len characters whose classes all share `all`, the last `z` at
 * index last_z (-1: none), make a short or a long ID.
 */
static int qid_ok(size_t len, unsigned all, long last_z)
{
	if (len > QID_MAX)
		return 0;
	if (last_z < 0)
		return len >= QID_SHORT_MIN && (all & QC_HEX);
	return (all & QC_LONG) && last_z >= QID_LONG_TIME_MIN && (size_t)last_z + 1 < len;
}

int queue_id_valid(const char *s, size_t len)
{
	if (len > QID_MAX)
		return 0;
	unsigned all = QC_HEX | QC_LONG;
	long last_z = -1;
	for (size_t i = 0; i < len; i++) {
		unsigned c = qid_class[(unsigned char)s[i]];
		if (c == 0)
			return 0;
		if (c & QC_Z)
			last_z = (long)i;
		all &= c;
	}
	return qid_ok(len, all, last_z);
}

/* scan_queue_id - "QID: " at the start of the text */
static int scan_queue_id(struct cursor *c, struct strview *qid)
{
	const char *q = c->p, *lim = c->end;
	if (lim - q > QID_MAX + 1)
		lim = q + QID_MAX + 1;
	unsigned all = QC_HEX | QC_LONG, k;	/* queue_id_valid, in the one pass */
	while (q < lim && (k = qid_class[(unsigned char)*q]) != 0) {
		all &= k;
		q++;
	}
	if (q + 1 >= c->end || q[0] != ':' || q[1] != ' ')
		return 0;
	long last_z = -1;	/* a short ID is hex, which holds no z: looked for in long ones only */
	if (!(all & QC_HEX))
		for (const char *z = q; z > c->p; z--)
			if (z[-1] == 'z') {
				last_z = z - 1 - c->p;
				break;
			}
	if (!qid_ok((size_t)(q - c->p), all, last_z))
		return 0;
	*qid = span(c->p, q);
	c->p = q + 2;
	return 1;
}

/* client_token - NAME[IP] (optionally ":port"); IPv6 "IPv6:" prefix dropped */
static int client_token(struct cursor *c, struct strview *name, struct strview *ip)
{
	const char *open = NULL, *q = c->p;
	while (q < c->end && *q != '[' && *q != ' ' && *q != ',' && *q != ';')
		q++;
	if (q >= c->end || *q != '[')
		return 0;
	open = q;
	const char *close = memchr(open, ']', (size_t)(c->end - open));
	if (close == NULL)
		return 0;
	*name = span(c->p, open);
	const char *a = open + 1;
	if (close - a > 5 && memcmp(a, "IPv6:", 5) == 0)
		a += 5;
	*ip = span(a, close);
	c->p = close + 1;
	if (left(c) >= 2 && c->p[0] == ':' && c->p[1] >= '0' && c->p[1] <= '9') {	/* port logging */
		c->p++;
		while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
			c->p++;
	}
	return 1;
}

/* angle_value - "<addr>": the address ends at a '>' followed by ',', ' ' or the end */
static int angle_value(struct cursor *c, struct strview *out)
{
	if (!eat(c, LIT("<")))
		return 0;
	const char *q = c->p;
	for (;;) {
		q = memchr(q, '>', (size_t)(c->end - q));
		if (q == NULL)
			return 0;
		if (q + 1 == c->end || q[1] == ',' || q[1] == ' ')
			break;
		q++;
	}
	*out = span(c->p, q);
	c->p = q + 1;
	return 1;
}

/* plain_value - up to ", " or the end */
static struct strview plain_value(struct cursor *c)
{
	const char *q = c->p;
	while ((q = memchr(q, ',', (size_t)(c->end - q))) != NULL && (q + 1 == c->end || q[1] != ' '))
		q++;
	if (q == NULL)
		q = c->end;
	struct strview v = span(c->p, q);
	c->p = q;
	return v;
}

static long number(struct strview v)
{
	long n = 0;
	for (size_t i = 0; i < v.len && v.ptr[i] >= '0' && v.ptr[i] <= '9'; i++)
		if (n < 1000000000L)
			n = n * 10 + (v.ptr[i] - '0');
	return n;
}

/* orig_queue_id - a queue ID at the cursor */
static int orig_queue_id(struct cursor *c, struct strview *qid)
{
	const char *q = c->p;
	while (c->p < c->end && qid_class[(unsigned char)*c->p])
		c->p++;
	*qid = span(q, c->p);
	return queue_id_valid(qid->ptr, qid->len);
}

/*
 * xforward_tail - ", orig_queue_id=QID[, orig_client=NAME[IP]]" or
 * ", orig_client=NAME[IP]" ending the line (XFORWARD, smtpd logs them last);
 * fills the views only when the tail runs exactly to the end.
 */
static void xforward_tail(struct cursor *c, struct pf_event *ev)
{
	struct strview qid = {0}, name = {0}, ip = {0};
	if (eat(c, LIT(", orig_queue_id=")) && !orig_queue_id(c, &qid))
		return;
	if (eat(c, LIT(", orig_client=")) && !client_token(c, &name, &ip))
		return;
	if (c->p != c->end)
		return;
	ev->orig_qid = qid;
	ev->orig_client_name = name;
	ev->orig_client_ip = ip;
}

/*
 * parse_client - client=NAME[IP][, sasl_method=M][, sasl_username=U]
 *   [, sasl_sender=S][, orig_queue_id=Q][, orig_client=NAME[IP]]
 *
 * Fields in smtpd's fixed order (smtpd.c, the "client=" msg_info), each at
 * most once. sasl_sender is the MAIL FROM AUTH= value of any client, quotes,
 * commas and spaces kept: it runs to the end of the line, and what it says is
 * never read as a field, an XFORWARD tail included.
 */
static void parse_client(struct cursor *c, struct pf_event *ev)
{
	if (!client_token(c, &ev->client_name, &ev->client_ip))
		return;
	ev->kind = EV_CLIENT;
	if (eat(c, LIT(", sasl_method=")))
		ev->sasl_method = plain_value(c);
	if (eat(c, LIT(", sasl_username=")))
		ev->sasl_username = plain_value(c);
	if (eat(c, LIT(", sasl_sender=")))
		/* the client's own text, to the end: a XFORWARD tail after it could be
		 * forged, so none is believed (a filter's copy is then tied by the
		 * original's "queued as") */
		ev->sasl_sender = span(c->p, c->end);
	else
		xforward_tail(c, ev);
	c->p = c->end;
}

/* parse_queued - from=<x>, size=N, nrcpt=N (queue active) | status=expired,
 * returned to sender | status=force-expired (postsuper -e/-f, Postfix 3.5+) */
static void parse_queued(struct cursor *c, struct pf_event *ev)
{
	if (!angle_value(c, &ev->sender))
		return;
	ev->has_sender = 1;
	ev->kind = EV_QUEUED;
	while (eat(c, LIT(", "))) {
		if (eat(c, LIT("size=")))
			ev->size = number(plain_value(c));
		else if (eat(c, LIT("nrcpt=")))
			ev->nrcpt = number(plain_value(c));
		else if (eat(c, LIT("status=expired")) || eat(c, LIT("status=force-expired"))) {
			ev->kind = EV_EXPIRED;
			ev->status = DS_EXPIRED;
		} else
			(void)plain_value(c);
	}
}

static enum delivery_status status_word(struct strview w)
{
	if (sv_eq(w, "sent"))
		return DS_SENT;
	if (sv_eq(w, "deferred"))
		return DS_DEFERRED;
	if (sv_eq(w, "bounced"))
		return DS_BOUNCED;
	if (sv_eq(w, "expired"))
		return DS_EXPIRED;
	return DS_OTHER;
}

/*
 * queued_as - "... queued as QID" ending a sent status: the next MTA took
 * the message under that ID (a content filter's re-injection when the ID
 * shows up in this log). Amavis puts its MTA's answer last: "250 2.0.0 from
 * MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as QID".
 */
static struct strview queued_as(struct strview text)
{
	/* a queue ID holds no space: the last " queued as " that a valid ID
	 * follows to the end ends at the text's last space (read from the end:
	 * every sent status passes here) */
	static const char words[] = " queued as ";
	const size_t n = sizeof(words) - 1;
	const char *end = text.ptr + text.len, *q = end;
	while (q > text.ptr && q[-1] != ' ')
		q--;
	if ((size_t)(q - text.ptr) < n || memcmp(q - n, words, n) != 0 || !queue_id_valid(q, (size_t)(end - q)))
		return (struct strview){NULL, 0};
	return span(q, end);
}

/*
 * parse_proxy_accept - "WHERE: REPLY; from=<S> to=<R> proto=P helo=<H>..."
 * (smtpd.c: the before-queue filter's end-of-data reply, then
 * smtpd_whatsup()). What follows "; from=<" is the client's: the reply ends
 * at its first occurrence, and only the reply's "queued as QID" is read.
 */
static void parse_proxy_accept(struct cursor *c, struct pf_event *ev)
{
	const char *colon = find(c->p, c->end, LIT(": "));
	const char *from = colon ? find(colon + 2, c->end, LIT("; from=<")) : NULL;
	if (from == NULL)
		return;
	ev->status_text = span(colon + 2, from);
	ev->queued_as = queued_as(ev->status_text);
	if (ev->queued_as.len)
		ev->kind = EV_PROXY_ACCEPT;
}

/* parse_delivery - to=<x>, orig_to=<y>, relay=R, delay=D, delays=.., dsn=X, status=S (text) */
static void parse_delivery(struct cursor *c, struct pf_event *ev)
{
	if (!angle_value(c, &ev->rcpt))
		return;
	ev->kind = EV_DELIVERY;
	while (eat(c, LIT(", "))) {
		if (eat(c, LIT("orig_to="))) {
			if (!angle_value(c, &ev->orig_to))
				(void)plain_value(c);
		} else if (eat(c, LIT("relay=")))
			ev->relay = plain_value(c);
		else if (eat(c, LIT("delay=")))
			ev->delay = plain_value(c);
		else if (eat(c, LIT("dsn=")))
			ev->dsn = plain_value(c);
		else if (eat(c, LIT("status="))) {
			const char *w = c->p;
			while (c->p < c->end && *c->p != ' ')
				c->p++;
			ev->status = status_word(span(w, c->p));
			if (eat(c, LIT(" (")) && c->end > c->p && c->end[-1] == ')')
				ev->status_text = span(c->p, c->end - 1);
			else
				ev->status_text = span(c->p, c->end);
			c->p = c->end;
			if (ev->status == DS_SENT)
				ev->queued_as = queued_as(ev->status_text);
			else if ((ev->status == DS_DEFERRED || ev->status == DS_BOUNCED) && ev->status_text.len)
				ev->reputation = (int16_t)reputation_classify(ev->status_text.ptr, ev->status_text.len);
		} else
			(void)plain_value(c);
	}
}

static enum reject_class classify_reject(struct strview t)
{
	if (sv_has(t, LIT("Relay access denied")))
		return RJ_RELAY_DENIED;
	if (sv_has(t, LIT("blocked using")) || sv_has(t, LIT("listed by")))
		return RJ_RBL;
	if (sv_has(t, LIT("User unknown")) || sv_has(t, LIT("undeliverable address")))
		return RJ_UNKNOWN_USER;
	if (sv_has(t, LIT("Helo command rejected")))
		return RJ_HELO;
	if (sv_has(t, LIT("Sender address rejected")))
		return RJ_SENDER;
	if (sv_has(t, LIT("Recipient address rejected")))
		return RJ_RECIPIENT;
	if (sv_has(t, LIT("Client host rejected")))
		return RJ_CLIENT;
	if (sv_has(t, LIT("rate")) && sv_has(t, LIT("limit")))
		return RJ_RATE;
	if (sv_has(t, LIT("olicy")))
		return RJ_POLICY;
	if (sv_has(t, LIT("spam")) || sv_has(t, LIT("Spam")) || sv_has(t, LIT("virus"))
	    || sv_has(t, LIT("content")) || sv_has(t, LIT("Blocked")))
		return RJ_CONTENT;
	return RJ_OTHER;
}

/* parse_envelope - "from=<a> to=<b> proto=P helo=<h>" after a reject */
static void parse_envelope(struct cursor *c, struct pf_event *ev)
{
	while (c->p < c->end) {
		if (eat(c, LIT("from="))) {
			if (angle_value(c, &ev->sender))
				ev->has_sender = 1;
		} else if (eat(c, LIT("to="))) {
			(void)angle_value(c, &ev->rcpt);
		} else if (eat(c, LIT("proto="))) {
			const char *w = c->p;
			while (c->p < c->end && *c->p != ' ')
				c->p++;
			ev->proto = span(w, c->p);
		} else if (eat(c, LIT("helo="))) {
			if (!angle_value(c, &ev->helo)) {
				const char *w = c->p;
				while (c->p < c->end && *c->p != ' ' && *c->p != ':')
					c->p++;
				ev->helo = span(w, c->p);
			}
		} else {
			break;
		}
		while (c->p < c->end && *c->p == ' ')
			c->p++;
	}
}

/*
 * parse_reject - after "reject: " / "hold: " / "discard: " and their "milter-" forms:
 *   STAGE from NAME[IP]: CODE TEXT; from=<> to=<> proto=P helo=<h>
 *   header|body TEXT from NAME[IP]; from=<> to=<> proto=P helo=<h>: TEXT
 */
static void parse_reject(struct cursor *c, struct pf_event *ev, enum event_kind kind)
{
	const char *from = find(c->p, c->end, LIT(" from "));
	if (from == NULL)
		return;
	ev->kind = kind;
	ev->reject_stage = span(c->p, from);
	c->p = from + 6;
	if (!client_token(c, &ev->client_name, &ev->client_ip))
		return;
	const char *env = find_last(c->p, c->end, LIT("; from="));
	if (eat(c, LIT(": "))) {	/* smtpd and milter form: text, then envelope */
		const char *text_end = env ? env : c->end;
		ev->reject_text = span(c->p, text_end);
		if (env) {
			c->p = env + 2;
			parse_envelope(c, ev);
		}
	} else if (eat(c, LIT("; "))) {	/* cleanup form: envelope, then ": text" */
		parse_envelope(c, ev);
		if (eat(c, LIT(": ")))
			ev->reject_text = span(c->p, c->end);
	}
	struct strview t = ev->reject_text;
	if (t.len >= 3 && t.ptr[0] >= '2' && t.ptr[0] <= '5' && t.ptr[1] >= '0' && t.ptr[1] <= '9'
	    && t.ptr[2] >= '0' && t.ptr[2] <= '9' && (t.len == 3 || t.ptr[3] == ' ')) {
		ev->reject_code = span(t.ptr, t.ptr + 3);
		ev->reject_text = span(t.ptr + (t.len > 3 ? 4 : 3), t.ptr + t.len);
	}
	ev->reject_class = kind == EV_REJECT && sv_eq(ev->reject_stage, "END-OF-MESSAGE")
	    ? RJ_CONTENT : classify_reject(ev->reject_text);
	if (ev->reject_class == RJ_OTHER && (sv_has(ev->reject_stage, LIT("header"))
					     || sv_has(ev->reject_stage, LIT("body"))))
		ev->reject_class = RJ_CONTENT;
}

/* parse_sasl_failure - NAME[IP]: SASL MECH authentication failed: REASON[, sasl_username=U] */
static void parse_sasl_failure(struct cursor *c, struct pf_event *ev)
{
	if (!client_token(c, &ev->client_name, &ev->client_ip) || !eat(c, LIT(": SASL ")))
		return;
	const char *sp = memchr(c->p, ' ', left(c));
	if (sp == NULL)
		return;
	ev->sasl_method = span(c->p, sp);
	c->p = sp;
	if (!eat(c, LIT(" authentication failed")))
		return;
	ev->kind = EV_SASL_FAIL;
	eat(c, LIT(": "));
	const char *u = find_last(c->p, c->end, LIT(", sasl_username="));
	if (u) {
		ev->status_text = span(c->p, u);
		ev->sasl_username = span(u + 16, c->end);
		/* smtpd_sasl_glue.c writes this when the SASL server named no one */
		if (sv_eq(ev->sasl_username, "(unavailable)"))
			ev->sasl_username = SV_NULL;
	} else {
		ev->status_text = span(c->p, c->end);
	}
	/* the client guessed nothing: the server could not check the password */
	ev->server_fault = sv_has(ev->status_text, LIT("Connection lost to authentication server"))
	    || sv_has(ev->status_text, LIT("authentication server unavailable"));
}

/* parse_summary - postsuper's "Placed on hold: 39 messages" and kin */
static void parse_summary(struct cursor *c, struct pf_event *ev)
{
	static const struct {
		const char *word;
		size_t len;
		enum summary_kind kind;
	} words[] = {
		{LIT("Placed on hold: "), SUM_HOLD},
		{LIT("Released from hold: "), SUM_RELEASE},
		{LIT("Deleted: "), SUM_DELETE},
		{LIT("Requeued: "), SUM_REQUEUE},
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (eat(c, words[i].word, words[i].len)) {
			ev->kind = EV_QUEUE_SUMMARY;
			ev->summary = words[i].kind;
			ev->count = number(span(c->p, c->end));
			return;
		}
	}
}

/* parse_anvil - statistics: max WHAT N[/60s] for (service:IP) at ... */
static void parse_anvil(struct cursor *c, struct pf_event *ev)
{
	if (!eat(c, LIT("statistics: max ")))
		return;
	const char *w = c->p;
	while (c->p < c->end && !(*c->p >= '0' && *c->p <= '9'))
		c->p++;
	if (c->p == w || c->p >= c->end)
		return;
	ev->kind = EV_ANVIL;
	ev->anvil_what = span(w, c->p - 1);
	ev->count = number(span(c->p, c->end));
	const char *open = find(c->p, c->end, LIT(" for ("));
	if (open) {
		const char *colon = memchr(open, ':', (size_t)(c->end - open));
		const char *close = colon ? find_last(colon, c->end, LIT(")")) : NULL;
		if (colon && close)
			ev->client_ip = span(colon + 1, close);
	}
}

/*
 * parse_pickup - after "uid=": N from=<SENDER>[ orig_id=QID] (pickup.c). The
 * sender is the submitter's own text (sendmail -f): it is read from the
 * end, so that whatever it holds, orig_id= is believed only as the last field.
 */
static void parse_pickup(struct cursor *c, struct pf_event *ev)
{
	const char *start = c->p, *d = start;
	while (d < c->end && *d >= '0' && *d <= '9' && d - start < 10)
		d++;
	c->p = d;
	if (d == start || !eat(c, LIT(" from=<")))
		return;
	ev->local_uid = span(start, d);
	const char *end = c->end;
	const char *oid = find_last(c->p, end, LIT("> orig_id="));
	if (oid && queue_id_valid(oid + 10, (size_t)(end - oid - 10))) {
		ev->orig_qid = span(oid + 10, end);
		end = oid + 1;
	}
	if (end == c->p || end[-1] != '>')
		return;
	ev->sender = span(c->p, end - 1);
	ev->has_sender = 1;
	ev->kind = EV_PICKUP;
	c->p = c->end;
}

/*
 * delivery_dest - where a delivery took the message, by the delivery agent
 * that logged it: local(8), virtual(8) and lmtp(8) deliver here, and an
 * address rewritten from one of ours (orig_to=, a virtual alias) was mail
 * for us whatever carries it on; so was mail for relay_domains, which
 * trivial-rewrite gives to relay_transport (master.cf's "relay": smtp(8)
 * logging as postfix/relay/smtp), a gateway handing our domains' mail to
 * the server inside; smtp(8) hands the rest to other servers. error(8) and
 * retry(8) defer or bounce for a destination Postfix holds back ("delivery
 * temporarily suspended"), whichever transport it was: the recipient's
 * domain tells (DEST_BY_DOMAIN). pipe(8) hands it to a program here, a
 * mailbox program or a content filter whose copy the model ties back
 * (DEST_PIPE); discard(8) drops it here (DEST_DROPPED).
 */
static uint8_t delivery_dest(const struct log_line *ll, const struct pf_event *ev)
{
	struct strview agent = ll->service;
	if (sv_eq(agent, "local") || sv_eq(agent, "virtual") || sv_eq(agent, "lmtp") || ev->orig_to.len)
		return DEST_HERE;
	if (sv_eq(agent, "smtp"))
		return sv_eq(ll->master_service, "relay") ? DEST_HERE : DEST_ONWARD;
	if (sv_eq(agent, "pipe"))
		return DEST_PIPE;
	if (sv_eq(agent, "discard"))
		return DEST_DROPPED;
	return sv_eq(agent, "error") || sv_eq(agent, "retry") ? DEST_BY_DOMAIN : DEST_UNKNOWN;
}

/* parse_queue_line - everything that follows "QID: " */
static void parse_queue_line(const struct log_line *ll, struct cursor *c, struct pf_event *ev)
{
	int postsuper = sv_eq(ll->service, "postsuper");
	switch (left(c) ? *c->p : 0) {
	case 'c':
		if (eat(c, LIT("client=")))
			parse_client(c, ev);
		break;
	case 'f':
		if (eat(c, LIT("from=")))
			parse_queued(c, ev);
		break;
	case 't':
		if (eat(c, LIT("to=")))
			parse_delivery(c, ev);
		if (ev->kind == EV_DELIVERY) {
			ev->dest = delivery_dest(ll, ev);
			ev->rcpt_domain_hash = address_domain_hash(ev->rcpt.ptr, ev->rcpt.len);
		}
		break;
	case 'm':
		if (eat(c, LIT("message-id="))) {
			ev->kind = EV_MESSAGE_ID;
			if (!angle_value(c, &ev->message_id))
				ev->message_id = span(c->p, c->end);
			ev->message_id_hash = message_id_hash(ev->message_id.ptr, ev->message_id.len);
		} else if (eat(c, LIT("milter-reject: "))) {
			parse_reject(c, ev, EV_REJECT);
		} else if (eat(c, LIT("milter-hold: "))) {	/* cleanup_milter.c: a milter's HOLD */
			parse_reject(c, ev, EV_HOLD);
		} else if (eat(c, LIT("milter-discard: "))) {
			parse_reject(c, ev, EV_DISCARD);
		}
		break;
	case 'd':
		if (eat(c, LIT("discard: ")))	/* header/body checks' DISCARD */
			parse_reject(c, ev, EV_DISCARD);
		break;
	case 'r':
		if (eat(c, LIT("removed")))
			ev->kind = postsuper ? EV_DELETED : EV_REMOVED;
		else if (eat(c, LIT("reject: ")))
			parse_reject(c, ev, EV_REJECT);
		else if (eat(c, LIT("released from hold")))
			ev->kind = EV_RELEASE;
		else if (eat(c, LIT("requeued")))
			ev->kind = EV_REQUEUED;
		break;
	case 'p':
		if (eat(c, LIT("placed on hold")))
			ev->kind = EV_HOLD;
		break;
	case 'h':
		if (eat(c, LIT("hold: ")))
			parse_reject(c, ev, EV_HOLD);
		break;
	case 'u':
		if (eat(c, LIT("uid=")))
			parse_pickup(c, ev);
		break;
	case 's':
		if (eat(c, LIT("sender non-delivery notification: "))
		    || eat(c, LIT("sender delivery status notification: "))
		    || eat(c, LIT("postmaster non-delivery notification: "))) {
			ev->kind = EV_BOUNCE_NOTICE;
			ev->other_qid = span(c->p, c->end);
		}
		break;
	}
}

static void event_fields(const struct log_line *ll, struct pf_event *ev);

/* view_hash - the intern hash of a view (0 for the empty one: never looked up) */
static uint32_t view_hash(uint64_t seed, struct strview v)
{
	return v.len ? intern_hash_seeded(seed, v.ptr, v.len) : 0;
}

/* folded_hash - the intern hash of v in lower case (ASCII, at most 1024
 * bytes); *folds: whether that changed it */
static uint32_t folded_hash(uint64_t seed, struct strview v, int *folds)
{
	char folded[1024];
	*folds = sv_has_upper(v);
	return view_hash(seed, *folds ? sv_lower(v, folded) : v);
}

/* sender_domain_hash - the sender's domain, as the model's aggregate of domains keys it */
static void sender_domain_hash(uint64_t seed, struct pf_event *ev)
{
	size_t n = 0;
	while (n < ev->sender.len && ev->sender.ptr[ev->sender.len - 1 - n] != '@')
		n++;
	if (n == ev->sender.len || n == 0 || n > 255)
		return;	/* no '@', nothing after it, or longer than a domain (the model cuts it) */
	int folds;
	ev->sender_domain_hash = folded_hash(seed, (struct strview){ev->sender.ptr + ev->sender.len - n, n}, &folds);
	ev->sender_domain_len = (uint16_t)n;
	ev->sender_domain_folds = (uint8_t)folds;
}

/* account_hash - the SASL user's account: its name in lower case (the
 * model's store_account), hashed; whether folding changed it */
static void account_hash(uint64_t seed, struct pf_event *ev)
{
	if (ev->sasl_username.len <= 1024)
		ev->account_hash = folded_hash(seed, ev->sasl_username, &ev->account_folds);
}

void event_parse(const struct log_line *ll, struct pf_event *ev)
{
	event_fields(ll, ev);
	uint64_t seed = intern_process_seed();
	ev->qid_hash = view_hash(seed, ev->qid);
	if (ev->kind != EV_DISCONNECT)	/* the one event whose address the model does not keep */
		ev->client_ip_hash = view_hash(seed, ev->client_ip);
	ev->sender_hash = view_hash(seed, ev->sender);
	if (ev->sasl_username.len)
		account_hash(seed, ev);
	if (ev->sender.len && (ev->kind == EV_QUEUED || ev->kind == EV_PICKUP))
		sender_domain_hash(seed, ev);
}

/* event_fields - the line's kind and fields */
static void event_fields(const struct log_line *ll, struct pf_event *ev)
{
	struct strview text = ll->text;
	/* glibc's vector memset, not inlined: gcc inlines a memset of this size as
	 * "rep stos", which costs a tenth of the parse of a line */
	explicit_bzero(ev, sizeof(*ev));
	ev->reputation = -1;
	struct cursor c = {text.ptr, text.ptr + text.len};
	if (text.len == 0)
		return;
	if (scan_queue_id(&c, &ev->qid)) {
		parse_queue_line(ll, &c, ev);
		return;
	}
	switch (*c.p) {
	case 'c':
		if (eat(&c, LIT("connect from ")) && client_token(&c, &ev->client_name, &ev->client_ip))
			ev->kind = EV_CONNECT;
		break;
	case 'd':
		if (eat(&c, LIT("disconnect from ")) && client_token(&c, &ev->client_name, &ev->client_ip))
			ev->kind = EV_DISCONNECT;
		break;
	case 'w':
		if (eat(&c, LIT("warning: ")))
			parse_sasl_failure(&c, ev);
		break;
	case 'N':
		if (eat(&c, LIT("NOQUEUE: reject: ")))
			parse_reject(&c, ev, EV_REJECT);
		else if (eat(&c, LIT("NOQUEUE: milter-reject: ")))
			parse_reject(&c, ev, EV_REJECT);
		else if (eat(&c, LIT("NOQUEUE: client="))) {	/* smtpd_proxy_filter: no queue file here */
			parse_client(&c, ev);
			if (ev->kind == EV_CLIENT)
				ev->kind = EV_PROXY_CLIENT;
		}
		break;
	case 'p':
		if (eat(&c, LIT("proxy-accept: ")))
			parse_proxy_accept(&c, ev);
		break;
	case 's':
		parse_anvil(&c, ev);
		break;
	case 'i':
		if (eat(&c, LIT("improper command pipelining after "))) {
			const char *from = find(c.p, c.end, LIT(" from "));
			if (from) {
				ev->reject_stage = span(c.p, from);
				c.p = from + 6;
				if (client_token(&c, &ev->client_name, &ev->client_ip))
					ev->kind = EV_PIPELINING;
			}
		}
		break;
	case 'P':
	case 'R':
	case 'D':
		parse_summary(&c, ev);
		break;
	}
}

uint64_t domain_name_hash(const char *name, size_t len)
{
	char lower[256];
	if (len == 0 || len > sizeof(lower))
		return 0;
	struct strview v = {name, len};
	if (sv_has_upper(v))	/* mostly in lower case already: folded only when not */
		v = sv_lower(v, lower);
	uint64_t h = hash64_seeded(intern_process_seed(), v.ptr, v.len);
	return h ? h : 1;
}

uint64_t address_domain_hash(const char *addr, size_t len)
{
	for (size_t i = len; i > 0; i--)
		if (addr[i - 1] == '@')
			return domain_name_hash(addr + i, len - i);
	return 0;
}

uint64_t message_id_hash(const char *s, size_t len)
{
	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		len--;
	if (len >= 2 && s[0] == '<' && s[len - 1] == '>')
		s++, len -= 2;
	return len ? text_id_hash(s, len) : 0;
}

uint64_t text_id_hash(const char *s, size_t len)
{
	/* eight bytes a step (FNV-1a's byte a step cost a tenth of a
	 * message-id= line's parse); a fixed seed: hashes of the log and of the
	 * queue files are compared */
	uint64_t h = hash64_seeded(0x6a09e667f3bcc909ull, s, len);
	return h ? h : 1;
}

const char *event_kind_name(enum event_kind k)
{
	static const char *const names[EV_KIND_COUNT] = {
		"other", "connect", "disconnect", "client", "pickup", "message_id", "queued",
		"removed", "expired", "delivery", "sasl_failure", "reject", "hold", "release",
		"deleted", "requeued", "queue_summary", "bounce_notice", "anvil", "pipelining", "discard",
		"proxy_client", "proxy_accept",
	};
	return (unsigned)k < EV_KIND_COUNT ? names[k] : "?";
}

const char *delivery_status_name(enum delivery_status s)
{
	static const char *const names[] = {"none", "sent", "deferred", "bounced", "expired", "other"};
	return (unsigned)s <= DS_OTHER ? names[s] : "?";
}

const char *reject_class_name(enum reject_class c)
{
	static const char *const names[RJ_CLASS_COUNT] = {
		"other", "relay_denied", "rbl", "unknown_user", "sender", "recipient",
		"helo", "client", "content", "policy", "rate_limit",
	};
	return (unsigned)c < RJ_CLASS_COUNT ? names[c] : "?";
}
