/*
 * dovecot - Dovecot's submission and login lines (see dovecot.h).
 */
#define _GNU_SOURCE	/* memmem */
#include "core/logs/dovecot.h"

#include <string.h>

#include "core/base/addr.h"

static int has_prefix(struct strview v, const char *lit)
{
	size_t n = strlen(lit);
	return v.len >= n && memcmp(v.ptr, lit, n) == 0;
}

/* last_of - the last lit in [s, e), or NULL */
static const char *last_of(const char *s, const char *e, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(e - s) < n)
		return NULL;
	for (const char *p = e - n;; p--) {
		if (*p == lit[0] && memcmp(p, lit, n) == 0)
			return p;
		if (p == s)
			return NULL;
	}
}

static int digit(char c) { return c >= '0' && c <= '9'; }

/* field_at - the last "NAME" in [s, e) that starts a field (after ", " or
 * ": "), its value up to the next ", " or e */
static const char *field_at(const char *s, const char *e, const char *name, struct strview *value)
{
	size_t n = strlen(name);
	for (const char *lim = e, *p; (p = last_of(s, lim, name)) != NULL; lim = p + n - 1) {
		if (p - s >= 2 && (p[-2] == ',' || p[-2] == ':') && p[-1] == ' ') {
			const char *v = p + n, *end = v;
			while (end < e && *end != ',')
				end++;
			*value = (struct strview){v, (size_t)(end - v)};
			return p;
		}
	}
	return NULL;
}

/*
 * login_elements - "user=<U>, method=M, rip=IP, lip=IP, [mpid=N, ]TLS,
 * session=<S>" from s to the end e (login_log_format_elements; Dovecot
 * before 2.2 wrote no session, and may end in ": Disconnected"). Every
 * field after user= is Dovecot's: they are found from the end, then the
 * name is what lies between "user=<" and the '>' before the first of them.
 */
static int login_elements(const char *s, const char *e, struct dovecot_event *ev)
{
	struct strview sess = {0}, rip = {0}, method = {0};
	const char *ps = field_at(s, e, "session=<", &sess);
	if (ps != NULL && e[-1] == '>' && sess.len >= 2)
		ev->session = (struct strview){sess.ptr, sess.len - 1};
	else
		ps = e;
	const char *pr = field_at(s, ps, "rip=", &rip);
	static const char lip[] = ", lip=";	/* the address is whole: the line goes on past it */
	/* what Dovecot writes of an address (net_ip2addr): no other text becomes a client's key */
	if (pr == NULL || !addr_text(rip.ptr, rip.len) || (size_t)(e - (rip.ptr + rip.len)) < sizeof(lip) - 1
	    || memcmp(rip.ptr + rip.len, lip, sizeof(lip) - 1) != 0)
		return 0;
	ev->client_ip = rip;
	const char *pm = field_at(s, pr, "method=", &method);
	ev->method = method;
	const char *first = pm ? pm : pr;	/* the first of Dovecot's fields */
	if (has_prefix((struct strview){s, (size_t)(first - s)}, "user=<") && first - s >= 9 && first[-3] == '>')
		ev->user = (struct strview){s + 6, (size_t)(first - 3 - (s + 6))};
	return 1;
}

/*
 * failed_logins - N of "(auth failed, N attempts[ in S secs])", and where the
 * elements start, in the messages a login process ends a client with
 * (client_get_extra_disconnect_reason): "Disconnected (...)", "Disconnected:
 * Inactivity (...)", "Aborted login (...)" (2.2, 2.3) and "Login aborted:
 * Connection closed (...) (auth_failed)" (2.4). Only the text before the
 * first "user=<" is looked at: the name tried is the client's.
 */
static long failed_logins(struct strview t, const char **elements)
{
	const char *s = t.ptr, *e = t.ptr + t.len;
	if (!has_prefix(t, "Disconnected") && !has_prefix(t, "Aborted login") && !has_prefix(t, "Login aborted"))
		return 0;
	static const char user[] = "user=<", failed[] = "(auth failed, ";
	const char *u = memmem(s, t.len, user, sizeof(user) - 1);
	const char *lim = u ? u : e;
	const char *f = memmem(s, (size_t)(lim - s), failed, sizeof(failed) - 1);
	if (f == NULL)
		return 0;
	const char *p = f + sizeof(failed) - 1;
	long n = 0;
	while (p < lim && digit(*p) && n < 1000000)
		n = n * 10 + (*p++ - '0');
	const char *close = memchr(p, ')', (size_t)(lim - p));
	if (n == 0 || close == NULL || !has_prefix((struct strview){p, (size_t)(lim - p)}, " attempt"))
		return 0;
	p = close + 1;
	static const char reason[] = " (auth_failed)";
	if (has_prefix((struct strview){p, (size_t)(e - p)}, reason))
		p += sizeof(reason) - 1;
	if (e - p < 3 || p[0] != ':' || p[1] != ' ')
		return 0;
	*elements = p + 2;
	return n;
}

/* after_type - the message after Dovecot's "Info: ", which its own log
 * file writes after the prefix (syslog gives the type as a priority) */
static struct strview after_type(struct strview t)
{
	static const char info[] = "Info: ";
	return has_prefix(t, info) ? (struct strview){t.ptr + sizeof(info) - 1, t.len - (sizeof(info) - 1)} : t;
}

/* parse_login - "SERVICE-login: Login: ELEMENTS" (2.4: "Logged in: ") and
 * the failed logins (failed_logins) */
static enum dovecot_kind parse_login(struct strview t, struct dovecot_event *ev)
{
	const char *s = t.ptr, *e = t.ptr + t.len;
	int login = has_prefix(t, "Login: ") ? 7 : has_prefix(t, "Logged in: ") ? 11 : 0;
	if (login) {
		const char *el = s + login;
		if (!login_elements(el, e, ev))
			return DV_NONE;
		return ev->kind = DV_LOGIN;
	}
	const char *el = NULL;
	long n = failed_logins(t, &el);
	if (n == 0 || !login_elements(el, e, ev))
		return DV_NONE;
	ev->attempts = n;
	return ev->kind = DV_AUTH_FAILED;
}

/* relay_prefix - "submission(USER)<PID><SESSION>: ": the first ")<" that
 * such a pid and session follow ends the user; returns the text after it */
static const char *relay_prefix(const char *s, const char *e, struct dovecot_event *ev)
{
	for (const char *p = s; (p = memchr(p, ')', (size_t)(e - p))) != NULL; p++) {
		const char *q = p + 1;
		if (q >= e || *q++ != '<' || q >= e || !digit(*q))
			continue;
		while (q < e && digit(*q))
			q++;
		if (e - q < 2 || q[0] != '>' || q[1] != '<')
			continue;
		const char *sess = q + 2, *end = memchr(sess, '>', (size_t)(e - sess));
		if (end == NULL || e - end < 3 || end[1] != ':' || end[2] != ' ' || end == sess)
			continue;
		ev->user = (struct strview){s, (size_t)(p - s)};
		ev->session = (struct strview){sess, (size_t)(end - sess)};
		return end + 3;
	}
	return NULL;
}

/* parse_relayed - the relay line; its reply is the last field, the ID before it */
static enum dovecot_kind parse_relayed(struct strview t, struct dovecot_event *ev)
{
	const char *e = t.ptr + t.len;
	const char *body = relay_prefix(t.ptr + 11, e, ev);
	if (body)
		body = after_type((struct strview){body, (size_t)(e - body)}).ptr;
	static const char relayed[] = "Successfully relayed message: from=<";
	if (body == NULL || (size_t)(e - body) < sizeof(relayed) || memcmp(body, relayed, sizeof(relayed) - 1) != 0
	    || e[-1] != '\'' || ev->user.len == 0)
		return DV_NONE;
	const char *r = last_of(body, e, ", reply=`");
	if (r == NULL)
		return DV_NONE;
	struct strview reply = {r + 9, (size_t)(e - 1 - (r + 9))};
	struct strview id = {0};
	if (field_at(body, r, "id=", &id) == NULL || id.len == 0)
		return DV_NONE;
	ev->trans_id = id;
	const char *qa = last_of(reply.ptr, reply.ptr + reply.len, "queued as ");
	if (qa == NULL)
		return DV_NONE;
	const char *q = qa + 10, *qe = q;
	while (qe < reply.ptr + reply.len && ((*qe >= '0' && *qe <= '9') || (*qe >= 'A' && *qe <= 'Z')
					       || (*qe >= 'a' && *qe <= 'z')))
		qe++;
	if (qe == q)
		return DV_NONE;
	ev->queued_as = (struct strview){q, (size_t)(qe - q)};
	return ev->kind = DV_RELAYED;
}

enum dovecot_kind dovecot_parse(struct strview text, struct dovecot_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	static const char *const services[] = {"submission", "imap", "pop3", "managesieve"};
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
		size_t n = strlen(services[i]);
		if (text.len > n + 8 && memcmp(text.ptr, services[i], n) == 0 && memcmp(text.ptr + n, "-login: ", 8) == 0) {
			ev->service = (struct strview){text.ptr, n};
			return parse_login(after_type((struct strview){text.ptr + n + 8, text.len - n - 8}), ev);
		}
	}
	if (has_prefix(text, "submission("))
		return parse_relayed(text, ev);
	return DV_NONE;
}
