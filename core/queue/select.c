/*
 * select - selections over the queue, confirmed from queue files (see select.h).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "core/queue/select.h"

#include <pcre2.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/logs/event.h"
#include "core/base/spawn.h"

#define POSTCAT_BATCH 200
#define POSTCAT_TIMEOUT_MS 60000

static size_t id_hash(const char *qid)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	for (; *qid; qid++)
		h = (h ^ (unsigned char)*qid) * 16777619u;
	return h;
}

/* id_index - the slots sized for cap entries (at most half full), rebuilt */
static int id_index(struct id_list *l, size_t cap)
{
	size_t size = 64;
	while (size < cap * 2)
		size *= 2;
	uint32_t *slots = calloc(size, sizeof(*slots));
	if (slots == NULL)
		return -1;
	free(l->slots);
	l->slots = slots;
	l->mask = size - 1;
	for (size_t i = 0; i < l->count; i++) {
		size_t j = id_hash(l->ids[i]) & l->mask;
		while (l->slots[j])
			j = (j + 1) & l->mask;
		l->slots[j] = (uint32_t)i + 1;
	}
	return 0;
}

int id_list_add_in(struct id_list *l, int inst, const char *qid)
{
	if (l->count == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 64;
		char (*n)[33] = realloc(l->ids, ncap * sizeof(*n));
		if (n == NULL)
			return -1;
		l->ids = n;
		uint8_t *ni = realloc(l->inst, ncap);
		if (ni == NULL)
			return -1;
		l->inst = ni;
		l->cap = ncap;
		if (ncap > UINT32_MAX / 4 || id_index(l, ncap) < 0)
			return -1;
	}
	l->inst[l->count] = (uint8_t)inst;
	snprintf(l->ids[l->count], sizeof(l->ids[0]), "%s", qid);
	size_t j = id_hash(l->ids[l->count]) & l->mask;
	while (l->slots[j])
		j = (j + 1) & l->mask;
	l->slots[j] = (uint32_t)++l->count;
	return 0;
}

int id_list_add(struct id_list *l, const char *qid)
{
	return id_list_add_in(l, 0, qid);
}

int id_list_has_in(const struct id_list *l, int inst, const char *qid)
{
	if (l->count == 0)
		return 0;
	for (size_t j = id_hash(qid) & l->mask; l->slots[j]; j = (j + 1) & l->mask) {
		size_t i = l->slots[j] - 1;
		if ((inst < 0 || l->inst[i] == inst) && strcmp(l->ids[i], qid) == 0)
			return 1;
	}
	return 0;
}

int id_list_has(const struct id_list *l, const char *qid)
{
	return id_list_has_in(l, -1, qid);
}

void id_list_free(struct id_list *l)
{
	free(l->ids);
	free(l->inst);
	free(l->slots);
	l->ids = NULL;
	l->inst = NULL;
	l->slots = NULL;
	l->count = l->cap = l->mask = 0;
}

int selection_is_empty(const struct selection *s)
{
	return s->nids == 0 && !s->sasl_user && !s->sender && !s->client_ip && !s->sender_domain
	    && !s->match && !s->instance && !s->local_uid;
}

int selection_needs_confirmation(const struct selection *s)
{
	return s->sasl_user || s->client_ip || s->local_uid;
}

int selection_compile(struct selection *s, struct error *err)
{
	for (size_t i = 0; i < s->nids; i++) {
		const char *qid = queue_ref_qid(s->ids[i]);
		if (!queue_id_valid(qid, strlen(qid))) {
			struct buf b = BUF_INIT;
			for (const char *c = s->ids[i]; *c && b.len < 64; c++)
				buf_putc(&b, (*c >= 0x20 && *c < 0x7f) ? *c : '?');
			error_set(err, "'%s' is not a Postfix queue ID (short: upper-case hex; long: digits and consonants, z before the inode)", buf_str(&b));
			buf_free(&b);
			return -1;
		}
	}
	if (s->match) {
		int code;
		PCRE2_SIZE off;
		pcre2_code *re = pcre2_compile((PCRE2_SPTR)s->match, PCRE2_ZERO_TERMINATED,
					       PCRE2_CASELESS | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &off,
					       NULL);
		if (re == NULL) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(code, msg, sizeof(msg));
			error_set(err, "--match pattern: %s at offset %zu", (char *)msg, (size_t)off);
			return -1;
		}
		s->match_code = re;
		s->match_data = pcre2_match_data_create_from_pattern(re, NULL);
	}
	return 0;
}

void selection_free(struct selection *s)
{
	pcre2_match_data_free(s->match_data);
	pcre2_code_free(s->match_code);
	s->match_code = s->match_data = NULL;
}

static int re_match(const struct selection *s, const char *text, size_t len)
{
	return pcre2_match(s->match_code, (PCRE2_SPTR)text, len, 0, 0, s->match_data, NULL) >= 0;
}

static int istr_is(const struct istr *a, const char *want)
{
	return a && strcmp(a->s, want) == 0;
}

/* account_is - a SASL user is one account whatever the case of its name (model.h) */
static int account_is(const struct istr *a, const char *want)
{
	return a && strcasecmp(a->s, want) == 0;
}

int selection_matches(const struct selection *s, const struct queue_snapshot *q,
		      const struct queued_msg *m)
{
	if (s->nids) {
		size_t i = 0;
		while (i < s->nids && !queue_ref_matches(q, s->ids[i], m))
			i++;
		if (i == s->nids)
			return 0;
	}
	if (s->instance && strcmp(instance_label(queue_instance(q, m)), s->instance) != 0)
		return 0;
	if (s->sender && !istr_is(m->sender, strcmp(s->sender, "<>") == 0 ? "" : s->sender))
		return 0;
	if (s->sasl_user && !account_is(m->sasl_user, s->sasl_user))
		return 0;
	if (s->client_ip && !istr_is(m->client_ip, s->client_ip))
		return 0;
	if (s->local_uid && !istr_is(m->local_uid, s->local_uid))
		return 0;
	if (s->sender_domain) {
		char dom[256];
		address_domain(m->sender->s, m->sender->len, dom, sizeof(dom));
		if (strcasecmp(dom, s->sender_domain) != 0)
			return 0;
	}
	if (s->match_code) {
		struct strview r = queue_recipients(q, m);
		int hit = re_match(s, m->sender->s, m->sender->len);
		const char *p = r.ptr, *end = r.ptr + r.len;
		while (!hit && p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *e = nl ? nl : end;
			hit = re_match(s, p, (size_t)(e - p));
			p = e + 1;
		}
		if (!hit)
			return 0;
	}
	return 1;
}

int selection_collect(const struct selection *s, const struct queue_snapshot *q,
		      struct id_list *out, struct error *err)
{
	for (size_t i = 0; i < q->count; i++)
		if (selection_matches(s, q, &q->msgs[i]) && id_list_add_in(out, q->msgs[i].instance, q->msgs[i].qid) < 0) {
			error_set(err, "out of memory selecting messages");
			return -1;
		}
	return 0;
}

int selection_collect_unlogged(const struct selection *s, const struct queue_snapshot *q,
			       struct id_list *out, struct error *err)
{
	if (!selection_needs_confirmation(s))
		return 0;
	struct selection rest = *s;	/* what the queue shows of each message itself */
	rest.sasl_user = rest.client_ip = rest.local_uid = NULL;
	for (size_t i = 0; i < q->count; i++) {
		const struct queued_msg *m = &q->msgs[i];
		if (!m->origin_logged && selection_matches(&rest, q, m) && id_list_add_in(out, m->instance, m->qid) < 0) {
			error_set(err, "out of memory selecting messages");
			return -1;
		}
	}
	return 0;
}

/*
 * pickup_userid - the file's first header, when it is the one pickup
 * prepends to mail from sendmail: "Received: by HOST (NAME, from userid N)"
 * (pickup.c); its N is the submitter's uid
 */
static void pickup_userid(const char *qid, const char *p, size_t n,
			  void (*fn)(const char *qid, const char *name, const char *value, void *arg), void *arg)
{
	static const char by[] = "Received: by ", from[] = ", from userid ";
	if (n < sizeof(by) + sizeof(from) || memcmp(p, by, sizeof(by) - 1) != 0 || p[n - 1] != ')')
		return;
	const char *e = p + n - 1, *d = e;
	while (d > p && d[-1] >= '0' && d[-1] <= '9' && e - d < 10)
		d--;
	if (d == e || (size_t)(d - p) < sizeof(from) - 1 || memcmp(d - (sizeof(from) - 1), from, sizeof(from) - 1) != 0)
		return;
	char uid[16];
	memcpy(uid, d, (size_t)(e - d));
	uid[e - d] = 0;
	fn(qid, POSTCAT_PICKUP_UID, uid, arg);
}

/* received_by_id - "by HOST (NAME) with PROTO id QID" (smtpd.c's Received
 * header, ";" or the end after QID): its QID, which this server gave */
static const char *received_by_id(const char *p, const char *e)
{
	static const char id[] = " id ";
	if (e - p < 3 || memcmp(p, "by ", 3) != 0)
		return NULL;
	const char *last = NULL;
	for (const char *s = p; e - s >= (ptrdiff_t)sizeof(id); s++)
		if (memcmp(s, id, sizeof(id) - 1) == 0)
			last = s + sizeof(id) - 1;
	return last;
}

/* received_id - a folded line of a Received header that reads "id X" (Dovecot's), or "by ... id QID" */
static void received_id(const char *qid, const char *p, size_t n,
			void (*fn)(const char *qid, const char *name, const char *value, void *arg), void *arg)
{
	const char *e = p + n;
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	const char *v = received_by_id(p, e);
	const char *name = POSTCAT_RECEIVED_BY_ID;
	if (v == NULL) {
		if (e - p < 4 || memcmp(p, "id ", 3) != 0)
			return;
		v = p + 3;
		name = POSTCAT_RECEIVED_ID;
	}
	const char *ve = v;
	while (ve < e && *ve != ' ' && *ve != '\t' && *ve != ';' && *ve != '\r')
		ve++;
	char value[128];
	if (ve == v || (size_t)(ve - v) >= sizeof(value))
		return;
	memcpy(value, v, (size_t)(ve - v));
	value[ve - v] = 0;
	fn(qid, name, value, arg);
}

void postcat_attributes(const char *text, size_t len,
			void (*fn)(const char *qid, const char *name, const char *value, void *arg),
			void *arg)
{
	char qid[33] = "";
	int in_headers = 0, first_header = 0, in_received = 0;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		size_t n = (size_t)(e - p);
		if (first_header && in_headers)	/* the line after "*** MESSAGE CONTENTS" */
			pickup_userid(qid, p, n, fn, arg);
		first_header = 0;
		int folded = n > 0 && (*p == ' ' || *p == '\t');
		if (in_headers && in_received && folded)
			received_id(qid, p, n, fn, arg);
		else if (!folded)
			in_received = in_headers && n >= 9 && strncasecmp(p, "Received:", 9) == 0;
		static const char env[] = "*** ENVELOPE RECORDS ", attr[] = "named_attribute: ";
		static const char contents[] = "*** MESSAGE CONTENTS ", msgid[] = "Message-ID:";
		if (n > sizeof(env) + 4 && memcmp(p, env, sizeof(env) - 1) == 0) {
			/* "*** ENVELOPE RECORDS deferred/3/340B11021EA ***" */
			const char *stop = e - 4, *slash = stop;
			while (slash > p && slash[-1] != '/' && slash[-1] != ' ')
				slash--;
			size_t idlen = (size_t)(stop - slash);
			qid[0] = 0;
			if (stop > slash && idlen < sizeof(qid) && queue_id_valid(slash, idlen)) {
				memcpy(qid, slash, idlen);
				qid[idlen] = 0;
			}
			in_headers = 0;
		} else if (qid[0] && n > sizeof(contents) && memcmp(p, contents, sizeof(contents) - 1) == 0) {
			in_headers = 1;	/* postcat -h: the headers follow, up to "*** HEADER EXTRACTED" */
			first_header = 1;
		} else if (n >= 3 && memcmp(p, "***", 3) == 0) {
			in_headers = 0;
		} else if (in_headers && n > sizeof(msgid) - 1 && strncasecmp(p, msgid, sizeof(msgid) - 1) == 0) {
			const char *v = p + sizeof(msgid) - 1, *ve = e;
			while (v < ve && (*v == ' ' || *v == '\t'))
				v++;
			if (v == ve && nl && nl + 1 < end && (nl[1] == ' ' || nl[1] == '\t')) {	/* folded */
				v = nl + 1;
				ve = memchr(v, '\n', (size_t)(end - v));
				ve = ve ? ve : end;
			}
			char value[1024];
			if ((size_t)(ve - v) < sizeof(value)) {
				memcpy(value, v, (size_t)(ve - v));
				value[ve - v] = 0;
				fn(qid, POSTCAT_MESSAGE_ID, value, arg);
			}
		} else if (qid[0] && n > sizeof(attr) && memcmp(p, attr, sizeof(attr) - 1) == 0) {
			const char *kv = p + sizeof(attr) - 1, *eq = memchr(kv, '=', (size_t)(e - kv));
			if (eq) {
				char name[64], value[1024];
				size_t kn = (size_t)(eq - kv), vn = (size_t)(e - eq - 1);
				if (kn < sizeof(name) && vn < sizeof(value)) {
					memcpy(name, kv, kn);
					name[kn] = 0;
					memcpy(value, eq + 1, vn);
					value[vn] = 0;
					fn(qid, name, value, arg);
				}
			}
		}
		p = nl ? nl + 1 : end;
	}
}

struct confirm_state {
	const struct selection *s;
	const struct queue_snapshot *q;	/* the joined snapshot the IDs come from */
	int inst;			/* the instance whose files are read */
	struct id_list seen;		/* IDs whose queue file was shown */
	struct id_list user_ok, ip_ok, uid_ok;	/* IDs whose attributes agree */
	struct id_list copy_ok;		/* copies whose file proves their origin */
	struct id_list proxy_ok;	/* behind a proxy: the file proves what the log charged */
};

/*
 * confirm_copy - a content filter's copy names no SASL user and the filter as
 * its client; its file proves it is the copy of the original the log tied it
 * to: log_ident= (XFORWARD IDENT, recorded by Postfix) is the original's
 * queue ID, or its Message-ID header is the one logged for the original, or
 * (a message that had none) the Received header this server's smtpd added to
 * the original, which a pipe filter passes on, names the original's queue ID.
 */
static void confirm_copy(struct confirm_state *cs, const char *qid, const char *name, const char *value)
{
	int ident = strcmp(name, "log_ident") == 0 || strcmp(name, POSTCAT_RECEIVED_BY_ID) == 0;
	int msgid = strcmp(name, POSTCAT_MESSAGE_ID) == 0;
	const struct queued_msg *m = (ident || msgid) && cs->q ? queue_find_in(cs->q, cs->inst, qid) : NULL;
	if (m == NULL || m->origin_qid == NULL)
		return;
	int proof = (ident && strcmp(value, m->origin_qid->s) == 0)
	    || (msgid && m->origin_msgid_hash && message_id_hash(value, strlen(value)) == m->origin_msgid_hash);
	if (proof && !id_list_has_in(&cs->copy_ok, cs->inst, qid))
		id_list_add_in(&cs->copy_ok, cs->inst, qid);
}

/*
 * confirm_proxied - a message Dovecot's submission service relayed, or one
 * queued behind a before-queue filter, names the proxy as its client and no
 * user; its file proves it is the one the log charged to the account: a
 * Received header's id is the transaction ID Dovecot logged with the account
 * and this queue ID, or its Message-ID header is the one cleanup logged
 */
static void confirm_proxied(struct confirm_state *cs, const char *qid, const char *name, const char *value)
{
	int trace = strcmp(name, POSTCAT_RECEIVED_ID) == 0, msgid = strcmp(name, POSTCAT_MESSAGE_ID) == 0;
	const struct queued_msg *m = (trace || msgid) && cs->q ? queue_find_in(cs->q, cs->inst, qid) : NULL;
	if (m == NULL)
		return;
	int proof = (trace && m->proxy_trace_hash && text_id_hash(value, strlen(value)) == m->proxy_trace_hash)
	    || (msgid && m->front_msgid_hash && message_id_hash(value, strlen(value)) == m->front_msgid_hash);
	if (proof && !id_list_has_in(&cs->proxy_ok, cs->inst, qid))
		id_list_add_in(&cs->proxy_ok, cs->inst, qid);
}

static void confirm_attr(const char *qid, const char *name, const char *value, void *arg)
{
	struct confirm_state *cs = arg;
	if (!id_list_has_in(&cs->seen, cs->inst, qid))
		id_list_add_in(&cs->seen, cs->inst, qid);
	if (cs->s->sasl_user && strcmp(name, "sasl_username") == 0 && strcasecmp(value, cs->s->sasl_user) == 0)
		id_list_add_in(&cs->user_ok, cs->inst, qid);
	if (cs->s->client_ip && (strcmp(name, "client_address") == 0 || strcmp(name, "log_client_address") == 0)
	    && strcmp(value, cs->s->client_ip) == 0)
		id_list_add_in(&cs->ip_ok, cs->inst, qid);
	if (cs->s->local_uid && strcmp(name, POSTCAT_PICKUP_UID) == 0 && strcmp(value, cs->s->local_uid) == 0)
		id_list_add_in(&cs->uid_ok, cs->inst, qid);
	confirm_copy(cs, qid, name, value);
	confirm_proxied(cs, qid, name, value);
}

/* confirmed - the file of id agrees with the selection, itself, or as a proven
 * copy or proxied message (then what the log says of it counts) */
static int confirmed(const struct confirm_state *cs, const char *id)
{
	const struct selection *s = cs->s;
	if (!id_list_has_in(&cs->seen, cs->inst, id))
		return 0;
	int proven = id_list_has_in(&cs->copy_ok, cs->inst, id) || id_list_has_in(&cs->proxy_ok, cs->inst, id);
	const struct queued_msg *m = proven ? queue_find_in(cs->q, cs->inst, id) : NULL;
	int user = !s->sasl_user || id_list_has_in(&cs->user_ok, cs->inst, id) || (m && account_is(m->sasl_user, s->sasl_user));
	int ip = !s->client_ip || id_list_has_in(&cs->ip_ok, cs->inst, id) || (m && istr_is(m->client_ip, s->client_ip));
	int uid = !s->local_uid || id_list_has_in(&cs->uid_ok, cs->inst, id) || (m && istr_is(m->local_uid, s->local_uid));
	return user && ip && uid;
}

/* postcat_batch - show ids[from..to); returns the index after the last shown,
 * which is where a missing queue file stopped postcat */
static size_t postcat_batch(struct confirm_state *cs, const struct id_list *ids, size_t from,
			    size_t to, struct error *err)
{
	char *argv[POSTCAT_BATCH + 5];
	size_t n = (size_t)instance_argv(cs->q ? &cs->q->inst.at[cs->inst] : NULL, "postcat", argv);
	size_t flags = n;
	argv[n++] = "-eq";
	for (size_t i = from; i < to; i++) {
		const struct queued_msg *m = cs->q ? queue_find_in(cs->q, cs->inst, ids->ids[i]) : NULL;
		if ((m && (m->origin_qid || m->proxy_trace_hash || m->front_msgid_hash)) || cs->s->local_uid)
			argv[flags] = "-ehq";	/* the headers too: a copy's Message-ID, pickup's and Dovecot's Received */
		argv[n++] = ids->ids[i];
	}
	argv[n] = NULL;
	struct spawn_result res;
	if (spawn_run(argv, NULL, 0, POSTCAT_TIMEOUT_MS, &res, err) < 0)
		return (size_t)-1;
	postcat_attributes(buf_str(&res.out), res.out.len, confirm_attr, cs);
	/* "postcat: fatal: open queue file ID: No such file or directory" */
	const char *fatal = strstr(buf_str(&res.err), "open queue file ");
	size_t next = to;
	if (fatal) {
		fatal += strlen("open queue file ");
		for (size_t i = from; i < to; i++)
			if (strncmp(fatal, ids->ids[i], strlen(ids->ids[i])) == 0
			    && fatal[strlen(ids->ids[i])] == ':')
				next = i + 1;	/* that one is gone; go on after it */
	} else if (!res.exited || res.status != 0) {
		error_set(err, "postcat failed: %s", res.err.len ? buf_str(&res.err) : "no message");
		next = (size_t)-1;
	}
	spawn_result_free(&res);
	return next;
}

static void confirm_state_free(struct confirm_state *cs)
{
	id_list_free(&cs->seen);
	id_list_free(&cs->user_ok);
	id_list_free(&cs->ip_ok);
	id_list_free(&cs->uid_ok);
	id_list_free(&cs->copy_ok);
	id_list_free(&cs->proxy_ok);
}

/* confirm_instance - reads the files of ids's messages in instance inst
 * (postcat -c DIR) and sorts them into kept and dropped */
static int confirm_instance(const struct selection *s, const struct queue_snapshot *q, int inst,
			    const struct id_list *ids, struct id_list *kept, struct id_list *dropped,
			    struct error *err)
{
	struct id_list mine = {0};
	for (size_t i = 0; i < ids->count; i++)
		if (ids->inst[i] == inst && id_list_add_in(&mine, inst, ids->ids[i]) < 0)
			goto oom;
	struct confirm_state cs = {s, q, inst, {0}, {0}, {0}, {0}, {0}, {0}};
	int rc = 0;
	for (size_t i = 0; i < mine.count;) {
		if (s->progress && atomic_load(&s->progress->cancel)) {
			error_set(err, "cancelled");
			rc = -1;
			break;
		}
		size_t to = i + POSTCAT_BATCH < mine.count ? i + POSTCAT_BATCH : mine.count;
		size_t next = postcat_batch(&cs, &mine, i, to, err);
		if (next == (size_t)-1) {
			rc = -1;
			break;
		}
		if (s->progress)
			atomic_fetch_add(&s->progress->done, next - i);
		i = next;
	}
	for (size_t i = 0; rc == 0 && i < mine.count; i++) {
		const char *id = mine.ids[i];
		if (id_list_add_in(confirmed(&cs, id) ? kept : dropped, inst, id) < 0) {
			confirm_state_free(&cs);
			goto oom;
		}
	}
	confirm_state_free(&cs);
	id_list_free(&mine);
	return rc;
oom:
	id_list_free(&mine);
	error_set(err, "out of memory confirming the selection");
	return -1;
}

int selection_confirm(const struct selection *s, const struct queue_snapshot *q, struct id_list *ids,
		      struct id_list *dropped, struct error *err)
{
	if (!selection_needs_confirmation(s))
		return 0;
	struct id_list kept = {0};
	int ninst = q ? q->inst.count : 1;
	if (s->progress)
		atomic_fetch_add(&s->progress->total, ids->count);
	for (int inst = 0; inst < ninst; inst++)
		if (confirm_instance(s, q, inst, ids, &kept, dropped, err) < 0) {
			id_list_free(&kept);
			return -1;
		}
	id_list_free(ids);
	*ids = kept;
	return 0;
}

/* The named fields of a selection: how they read, and their command-line flag. */
static const struct {
	const char *label, *flag;
	size_t offset;
} selection_fields[] = {
	{"SASL user", "--sasl-user", offsetof(struct selection, sasl_user)},
	{"sender", "--sender", offsetof(struct selection, sender)},
	{"client IP", "--client-ip", offsetof(struct selection, client_ip)},
	{"sender domain", "--sender-domain", offsetof(struct selection, sender_domain)},
	{"matching", "--match", offsetof(struct selection, match)},
	{"instance", "--instance", offsetof(struct selection, instance)},
	{"local uid", "--uid", offsetof(struct selection, local_uid)},
};

static const char *selection_field(const struct selection *s, size_t i)
{
	return *(const char *const *)((const char *)s + selection_fields[i].offset);
}

void selection_command(const struct selection *s, const char *verb, struct buf *out)
{
	buf_printf(out, "spamtop %s", verb);
	for (size_t i = 0; i < s->nids; i++) {
		buf_puts(out, " --id ");
		buf_put_shell_quoted(out, s->ids[i]);
	}
	for (size_t i = 0; i < sizeof(selection_fields) / sizeof(selection_fields[0]); i++)
		if (selection_field(s, i)) {
			buf_printf(out, " %s ", selection_fields[i].flag);
			buf_put_shell_quoted(out, selection_field(s, i));
		}
}

size_t selection_words(const struct selection *s, struct buf *out)
{
	size_t n = 0;
	for (size_t i = 0; i < s->nids; i++, n++) {
		buf_printf(out, "--id=%s", s->ids[i]);
		buf_append(out, "", 1);
	}
	for (size_t i = 0; i < sizeof(selection_fields) / sizeof(selection_fields[0]); i++)
		if (selection_field(s, i)) {
			buf_printf(out, "%s=%s", selection_fields[i].flag, selection_field(s, i));
			buf_append(out, "", 1);
			n++;
		}
	return n;
}

void selection_describe(const struct selection *s, struct buf *out)
{
	size_t start = out->len;
	if (s->nids == 1)
		buf_printf(out, "queue ID %s", s->ids[0]);
	else if (s->nids > 1)
		buf_printf(out, "%zu queue IDs", s->nids);
	for (size_t i = 0; i < sizeof(selection_fields) / sizeof(selection_fields[0]); i++)
		if (selection_field(s, i))
			buf_printf(out, "%s%s %s", out->len > start ? ", " : "", selection_fields[i].label,
				   selection_field(s, i));
	if (out->len == start)
		buf_puts(out, "nothing");
}
