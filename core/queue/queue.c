/*
 * queue - postqueue -j / -p readers and the snapshot (see queue.h).
 */
#include "core/queue/queue.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base/clock.h"
#include "core/logs/event.h"
#include "core/base/spawn.h"

const int queue_age_limits_minutes[QUEUE_AGE_BUCKETS] = {5, 10, 20, 40, 80, 160, 320, 640, 1280, -1};

static const char *const queue_names[QN_COUNT] = {
	"incoming", "active", "deferred", "hold", "maildrop", "corrupt", "other",
};

const char *queue_name_str(enum queue_name n)
{
	return (unsigned)n < QN_COUNT ? queue_names[n] : "other";
}

enum queue_name queue_name_parse(const char *s, size_t len)
{
	for (int i = 0; i < QN_OTHER; i++)
		if (strlen(queue_names[i]) == len && memcmp(queue_names[i], s, len) == 0)
			return (enum queue_name)i;
	return QN_OTHER;
}

struct queue_snapshot *queue_snapshot_new(void)
{
	struct queue_snapshot *q = calloc(1, sizeof(*q));
	if (q == NULL)
		return NULL;
	q->strings = intern_new();
	if (q->strings == NULL) {
		free(q);
		return NULL;
	}
	q->method = "";
	instance_set_default(&q->inst);
	return q;
}

void queue_snapshot_free(struct queue_snapshot *q)
{
	if (q == NULL)
		return;
	intern_free(q->strings);
	buf_free(&q->text);
	free(q->msgs);
	free(q->id_slots);
	free(q);
}

/* new_msg - room for one more message; NULL when out of memory */
static struct queued_msg *new_msg(struct queue_snapshot *q, const char *qid, size_t len)
{
	if (!queue_id_valid(qid, len))
		return NULL;
	if (q->count == q->cap) {
		size_t ncap = q->cap ? q->cap * 2 : 256;
		struct queued_msg *n = realloc(q->msgs, ncap * sizeof(*n));
		if (n == NULL)
			return NULL;
		q->msgs = n;
		q->cap = ncap;
	}
	struct queued_msg *m = &q->msgs[q->count];
	memset(m, 0, sizeof(*m));
	memcpy(m->qid, qid, len);
	m->instance = (uint8_t)q->loading;
	m->rcpt_off = q->text.len;
	return m;
}

/* id_slot - where qid of instance inst is, or the empty slot it would take */
static size_t id_slot(const struct queue_snapshot *q, int inst, const char *qid, size_t len)
{
	size_t j = intern_hash(q->strings, qid, len) & q->id_mask;
	while (q->id_slots[j]) {
		const struct queued_msg *m = &q->msgs[q->id_slots[j] - 1];
		if (m->instance == inst && strcmp(m->qid, qid) == 0)
			break;
		j = (j + 1) & q->id_mask;
	}
	return j;
}

/* index_msg - the message at index i found by its queue ID; the index is
 * dropped (queue_find then scans) when it cannot grow */
static void index_msg(struct queue_snapshot *q, size_t i)
{
	if (q->id_index_lost)
		return;
	if ((i + 1) * 2 > q->id_mask) {
		size_t cap = q->id_mask ? (q->id_mask + 1) * 2 : 512;
		uint32_t *old = q->id_slots;
		q->id_slots = calloc(cap, sizeof(*q->id_slots));
		q->id_mask = cap - 1;
		free(old);
		if (q->id_slots == NULL) {
			q->id_index_lost = 1;
			q->id_mask = 0;
			return;
		}
		for (size_t k = 0; k < i; k++) {
			const struct queued_msg *m = &q->msgs[k];
			q->id_slots[id_slot(q, m->instance, m->qid, strlen(m->qid))] = (uint32_t)k + 1;
		}
	}
	const struct queued_msg *m = &q->msgs[i];
	q->id_slots[id_slot(q, m->instance, m->qid, strlen(m->qid))] = (uint32_t)i + 1;
}

static void commit_msg(struct queue_snapshot *q, struct queued_msg *m)
{
	m->rcpt_len = q->text.len - m->rcpt_off;
	q->by_queue[m->queue]++;
	q->bytes += m->size;
	index_msg(q, q->count);
	q->count++;
}

static void add_rcpt(struct queue_snapshot *q, struct queued_msg *m, const char *a, size_t len)
{
	if (m->nrcpt++)
		buf_putc(&q->text, '\n');
	buf_append(&q->text, a, len);
}

int queue_add_json(struct queue_snapshot *q, const char *line, size_t len)
{
	json_error_t jerr;
	json_t *o = json_loadb(line, len, 0, &jerr);
	json_t *id = o ? json_object_get(o, "queue_id") : NULL;
	struct queued_msg *m = json_is_string(id)
	    ? new_msg(q, json_string_value(id), json_string_length(id)) : NULL;
	if (m == NULL) {
		q->bad_lines++;
		json_decref(o);
		return -1;
	}
	json_t *v = json_object_get(o, "queue_name");
	m->queue = json_is_string(v) ? queue_name_parse(json_string_value(v), json_string_length(v)) : QN_OTHER;
	v = json_object_get(o, "arrival_time");
	m->arrival = json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
	v = json_object_get(o, "message_size");
	m->size = json_is_integer(v) && json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
	v = json_object_get(o, "sender");
	/* postqueue shows the null sender as MAILER-DAEMON, in -j as in -p */
	if (json_is_string(v) && strcmp(json_string_value(v), "MAILER-DAEMON") != 0)
		m->sender = intern(q->strings, json_string_value(v), json_string_length(v));
	else
		m->sender = intern(q->strings, "", 0);
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(o, "recipients"), i, r) {
		json_t *a = json_object_get(r, "address"), *why = json_object_get(r, "delay_reason");
		if (json_is_string(a))
			add_rcpt(q, m, json_string_value(a), json_string_length(a));
		if (m->delay_reason == NULL && json_is_string(why))
			m->delay_reason = intern(q->strings, json_string_value(why), json_string_length(why));
	}
	commit_msg(q, m);
	json_decref(o);
	return 0;
}

/* listing_arrival - "Tue Nov 24 23:12:29" in local time, this year or last */
static int64_t listing_arrival(const char *s, size_t len)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	if (len < 19)
		return 0;
	struct tm tm = {0};
	const char *mon = s + 4;
	int mi = -1;
	for (int i = 0; i < 12; i++)
		if (memcmp(mon, months + 3 * i, 3) == 0)
			mi = i;
	char clock[12];	/* "24 23:12:29", NUL-terminated for sscanf: the listing need not be */
	memcpy(clock, s + 8, 11);
	clock[11] = 0;
	if (mi < 0 || sscanf(clock, "%d %d:%d:%d", &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 4)
		return 0;
	time_t now = (time_t)clock_now();
	struct tm nowtm;
	localtime_r(&now, &nowtm);
	tm.tm_year = nowtm.tm_year;
	tm.tm_mon = mi;
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	if (t > now + 2 * 86400) {
		tm.tm_year--;
		tm.tm_isdst = -1;
		t = mktime(&tm);
	}
	return (int64_t)t;
}

/*
 * queue_add_listing - postqueue -p:
 *   340B11021EA*    445 Tue Nov 24 23:12:29  alice@lab.example
 *   (connect to 127.0.0.1[127.0.0.1]:2599: Connection refused)
 *                                            partner2@remote.example
 *   <blank line>
 * '*' marks active, '!' hold; no mark is deferred (or incoming).
 */
int queue_add_listing(struct queue_snapshot *q, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	struct queued_msg *cur = NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		size_t n = (size_t)(e - p);
		if (n == 0) {
			if (cur)
				commit_msg(q, cur);
			cur = NULL;
		} else if (cur == NULL && p[0] != '-' && p[0] != ' ') {
			size_t id = 0;
			while (id < n && p[id] != ' ' && p[id] != '*' && p[id] != '!')
				id++;
			cur = new_msg(q, p, id);
			if (cur == NULL) {
				if (n < 19 || memcmp(p, "Mail queue is empty", 19) != 0)
					q->bad_lines++;
			} else {
				char mark = id < n ? p[id] : ' ';
				cur->queue = mark == '*' ? QN_ACTIVE : mark == '!' ? QN_HOLD : QN_DEFERRED;
				const char *f = p + id + (mark == ' ' ? 0 : 1);
				while (f < e && *f == ' ')
					f++;
				for (cur->size = 0; f < e && *f >= '0' && *f <= '9'; f++)	/* bounded: text may */
					cur->size = cur->size * 10 + (uint64_t)(*f - '0');	/* not end in NUL */
				while (f < e && *f != ' ')
					f++;
				while (f < e && *f == ' ')
					f++;
				cur->arrival = listing_arrival(f, (size_t)(e - f));
				f = (size_t)(e - f) > 19 ? f + 19 : e;
				while (f < e && *f == ' ')
					f++;
				size_t slen = (size_t)(e - f);
				if (slen == 13 && memcmp(f, "MAILER-DAEMON", 13) == 0)
					slen = 0;	/* the null sender */
				cur->sender = intern(q->strings, f, slen);
			}
		} else if (cur) {	/* indented: "(delay reason)" or a recipient */
			const char *a = p;
			while (a < e && *a == ' ')
				a++;
			size_t alen = (size_t)(e - a);
			if (alen >= 2 && a[0] == '(' && e[-1] == ')') {
				if (cur->delay_reason == NULL)
					cur->delay_reason = intern(q->strings, a + 1, alen - 2);
			} else if (alen) {
				add_rcpt(q, cur, a, alen);
			}
		}
		p = nl ? nl + 1 : end;
	}
	if (cur)
		commit_msg(q, cur);
	return 0;
}

static int json_line(const char *line, size_t len, void *arg)
{
	if (len)
		queue_add_json(arg, line, len);
	return 0;
}

/* load_error - "what detail", naming the instance when it is not the only one */
static void load_error(const struct queue_snapshot *q, struct error *err, const char *what, const char *detail)
{
	const struct postfix_instance *in = &q->inst.at[q->loading];
	if (q->inst.count > 1)
		error_set(err, "instance %s (%s): %s %s", instance_label(in),
			  in->config_dir[0] ? in->config_dir : "default", what, detail);
	else
		error_set(err, "%s %s", what, detail);
}

/* load_instance - postqueue [-c DIR] -j, else -p, of q->loading */
static int load_instance(struct queue_snapshot *q, int timeout_ms, struct error *err)
{
	const struct postfix_instance *in = &q->inst.at[q->loading];
	char *argv[6];
	int n = instance_argv(in, "postqueue", argv);
	argv[n] = "-j";
	argv[n + 1] = NULL;
	struct spawn_result res;
	if (spawn_lines(argv, timeout_ms, json_line, q, &res, err) < 0)
		return -1;
	int ok = res.exited && res.status == 0 && !res.timed_out;
	int no_json = !ok && strstr(buf_str(&res.err), "invalid option") != NULL;
	if (res.timed_out)
		load_error(q, err, "postqueue -j did not answer in time", "");
	else if (!ok && !no_json)
		load_error(q, err, "postqueue -j failed:", res.err.len ? buf_str(&res.err) : "no message");
	spawn_result_free(&res);
	if (ok) {
		q->method = "postqueue -j";
		return 0;
	}
	if (!no_json)
		return -1;
	argv[n] = "-p";	/* Postfix before 3.1 */
	if (spawn_run(argv, NULL, 0, timeout_ms, &res, err) < 0)
		return -1;
	ok = res.exited && res.status == 0 && !res.timed_out;
	if (ok) {
		queue_add_listing(q, res.out.data ? res.out.data : "", res.out.len);
		q->method = "postqueue -p";
	} else {
		load_error(q, err, "postqueue -p failed:", res.err.len ? buf_str(&res.err) : "no message");
	}
	spawn_result_free(&res);
	return ok ? 0 : -1;
}

int queue_load(struct queue_snapshot *q, int timeout_ms, struct error *err)
{
	instance_discover(&q->inst, timeout_ms);
	for (q->loading = 0; q->loading < q->inst.count; q->loading++)
		if (load_instance(q, timeout_ms, err) < 0) {
			q->loading = 0;
			return -1;
		}
	q->loading = 0;
	return 0;
}

#define ANY_INSTANCE (-2)

/* model_instance - the model's number for q's instance i (-1: never logged);
 * with one instance, every record of host 0 may be its message */
static int model_instance(const struct queue_snapshot *q, const struct model *m, int i)
{
	return q->inst.count == 1 ? ANY_INSTANCE : model_instance_find(m, q->inst.at[i].syslog_name);
}

/* strays - the model's instances whose syslog name is no instance's of q: an
 * admin's own -o syslog_name= (postfix-reinject/smtpd for a filter's
 * re-injection), whose records belong to whichever instance queues their ID */
static uint32_t strays(const struct queue_snapshot *q, const struct model *m)
{
	uint32_t mask = 0;
	for (int k = 0; q->inst.count > 1 && k < model_instance_count(m) && k < 32; k++) {
		const char *name = model_instance_name(m, k);
		if (instance_by_syslog_name(&q->inst, name, strlen(name)) < 0)
			mask |= 1u << k;
	}
	return mask;
}

/* record_in - the open record of qid in the model's instance k, else under a stray syslog name */
static const struct msg_record *record_in(const struct model *m, int k, uint32_t stray, const char *qid)
{
	if (k == ANY_INSTANCE)
		return model_find_open(m, qid);
	const struct msg_record *r = k >= 0 ? model_find_open_in(m, 0, k, qid) : NULL;
	for (int i = 0; r == NULL && stray >> i; i++)
		if ((stray >> i) & 1)
			r = model_find_open_in(m, 0, i, qid);
	return r;
}

const struct msg_record *queue_record(const struct queue_snapshot *q, const struct model *m,
				      const struct queued_msg *qm)
{
	return record_in(m, model_instance(q, m, qm->instance), strays(q, m), qm->qid);
}

const struct queued_msg *queue_find_record(const struct queue_snapshot *q, const struct model *m,
					   const struct msg_record *r)
{
	if (r->host != 0)
		return NULL;
	if (q->inst.count == 1)
		return queue_find_in(q, 0, r->qid);
	const char *name = model_instance_name(m, r->instance);
	int i = instance_by_syslog_name(&q->inst, name, strlen(name));
	if (i >= 0)
		return queue_find_in(q, i, r->qid);
	const struct queued_msg *found = NULL;	/* a stray syslog name: the one instance queuing the ID */
	for (i = 0; i < q->inst.count; i++) {
		const struct queued_msg *qm = queue_find_in(q, i, r->qid);
		if (qm && found)
			return NULL;	/* queued in two instances: not known which */
		found = qm ? qm : found;
	}
	return found;
}

void queue_join(struct queue_snapshot *q, const struct model *m)
{
	int mi[INSTANCE_MAX];	/* looked up once, not per message */
	for (int i = 0; i < q->inst.count; i++)
		mi[i] = model_instance(q, m, i);
	uint32_t stray = strays(q, m);
	for (size_t i = 0; i < q->count; i++) {
		struct queued_msg *qm = &q->msgs[i];
		const struct msg_record *r = record_in(m, mi[qm->instance], stray, qm->qid);
		qm->sasl_user = r ? r->sasl_user : NULL;
		qm->client_ip = r ? r->client_ip : NULL;
		qm->local_uid = r ? r->local_uid : NULL;
		qm->origin_logged = r && (r->client_ip || r->local_uid || (r->flags & RF_NOTICE));
		int copy = r && (r->flags & RF_COPY) && r->origin_qid[0];
		qm->origin_qid = copy ? intern(q->strings, r->origin_qid, strlen(r->origin_qid)) : NULL;
		qm->origin_msgid_hash = copy ? r->msgid_hash : 0;
		qm->proxy_trace_hash = r && (r->flags & RF_PROXIED) ? r->trace_id_hash : 0;
		qm->front_msgid_hash = r && (r->flags & RF_FRONT) ? r->msgid_hash : 0;
	}
}

size_t queue_unlogged_count(const struct queue_snapshot *q)
{
	size_t n = 0;
	for (size_t i = 0; i < q->count; i++)
		n += !q->msgs[i].origin_logged;
	return n;
}

const struct queued_msg *queue_find_in(const struct queue_snapshot *q, int inst, const char *qid)
{
	if (q->id_slots) {
		uint32_t id = q->id_slots[id_slot(q, inst, qid, strlen(qid))];
		return id ? &q->msgs[id - 1] : NULL;
	}
	for (size_t i = 0; i < q->count; i++)
		if (q->msgs[i].instance == inst && strcmp(q->msgs[i].qid, qid) == 0)
			return &q->msgs[i];
	return NULL;
}

const struct queued_msg *queue_find(const struct queue_snapshot *q, const char *qid)
{
	const struct queued_msg *m = NULL;
	for (int i = 0; m == NULL && i < q->inst.count; i++)
		m = queue_find_in(q, i, qid);
	return m;
}

const char *queue_ref_qid(const char *ref)
{
	const char *colon = strrchr(ref, ':');
	return colon ? colon + 1 : ref;
}

int queue_ref_matches(const struct queue_snapshot *q, const char *ref, const struct queued_msg *m)
{
	const char *qid = queue_ref_qid(ref);
	if (strcmp(qid, m->qid) != 0)
		return 0;
	if (qid == ref)
		return 1;	/* any instance */
	const char *label = instance_label(queue_instance(q, m));
	return strlen(label) == (size_t)(qid - 1 - ref) && memcmp(label, ref, (size_t)(qid - 1 - ref)) == 0;
}

const struct queued_msg *queue_find_ref(const struct queue_snapshot *q, const char *ref)
{
	const char *qid = queue_ref_qid(ref);
	for (int i = 0; i < q->inst.count; i++) {
		const struct queued_msg *m = queue_find_in(q, i, qid);
		if (m && queue_ref_matches(q, ref, m))
			return m;
	}
	return NULL;
}

void queue_ref(const struct queue_snapshot *q, const struct queued_msg *m, struct buf *out)
{
	if (m->instance != 0)
		buf_printf(out, "%s:", instance_label(queue_instance(q, m)));
	buf_puts(out, m->qid);
}

const struct postfix_instance *queue_instance(const struct queue_snapshot *q, const struct queued_msg *m)
{
	return &q->inst.at[m->instance < q->inst.count ? m->instance : 0];
}

struct strview queue_recipients(const struct queue_snapshot *q, const struct queued_msg *msg)
{
	if (msg->rcpt_len == 0)
		return (struct strview){"", 0};
	return (struct strview){q->text.data + msg->rcpt_off, msg->rcpt_len};
}

void queue_age_histogram(const struct queue_snapshot *q, int64_t now, size_t out[QUEUE_AGE_BUCKETS])
{
	memset(out, 0, QUEUE_AGE_BUCKETS * sizeof(out[0]));
	for (size_t i = 0; i < q->count; i++) {
		int64_t minutes = (now - q->msgs[i].arrival) / 60;
		int b = 0;
		while (b < QUEUE_AGE_BUCKETS - 1 && minutes >= queue_age_limits_minutes[b])
			b++;
		out[b]++;
	}
}
