/*
 * damage - the suspects' deliveries per recipient domain (see damage.h).
 */
#include "core/incident/damage.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/logs/event.h"
#include "core/logs/logline.h"
#include "core/queue/select.h"
#include "core/logs/source.h"

struct suspects_ids {
	const struct model *m;
	const struct suspect *sus;
	size_t nsus;
	struct id_list ids;
};

static int collect_ids(const struct msg_record *r, void *arg)
{
	struct suspects_ids *s = arg;
	for (size_t i = 0; i < s->nsus; i++) {
		enum agg_kind k = suspect_agg_kind(s->sus[i].kind);
		if (s->sus[i].kind != SUSPECT_BRUTE_FORCE && r->agg[k]
		    && model_agg_at(s->m, k, r->agg[k] - 1) == s->sus[i].agg) {
			if (!id_list_has(&s->ids, r->qid))
				id_list_add(&s->ids, r->qid);
			break;
		}
	}
	return 0;
}

static void add_delivery(struct damage *d, const char *domain, size_t len)
{
	if (len >= sizeof(d->d[0].domain))
		len = sizeof(d->d[0].domain) - 1;
	d->delivered++;
	for (size_t i = 0; i < d->count; i++)
		if (strlen(d->d[i].domain) == len && strncasecmp(d->d[i].domain, domain, len) == 0) {
			d->d[i].delivered++;
			return;
		}
	if (d->count == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 32;
		struct damage_domain *n = realloc(d->d, cap * sizeof(*n));
		if (n == NULL)
			return;	/* counted in the total, not by domain */
		d->d = n;
		d->cap = cap;
	}
	struct damage_domain *e = &d->d[d->count++];
	for (size_t i = 0; i < len; i++)
		e->domain[i] = (char)(domain[i] >= 'A' && domain[i] <= 'Z' ? domain[i] + 32 : domain[i]);
	e->domain[len] = 0;
	e->delivered = 1;
}

/* a_delivery - a remote delivery of one of the ids before until: its recipient's domain
 * (1); 0 for any other line; -1 past until (a log is in time order: the rest is later) */
static int a_delivery(struct time_context *tc, const char *line, size_t len, const struct id_list *ids, int64_t until,
		      struct strview *domain)
{
	struct log_line ll;
	struct pf_event ev;
	if (logline_parse(tc, line, len, &ll) != LINE_POSTFIX)
		return 0;
	if (until && ll.time >= until)
		return -1;
	event_parse(&ll, &ev);
	if (ev.kind != EV_DELIVERY || ev.status != DS_SENT || ev.queued_as.len || ev.qid.len == 0 || ev.qid.len >= 33)
		return 0;
	if ((ev.relay.len >= 5 && strncmp(ev.relay.ptr, "local", 5) == 0)
	    || (ev.relay.len >= 7 && strncmp(ev.relay.ptr, "virtual", 7) == 0))
		return 0;	/* a mailbox here, not mail that left */
	char qid[33];
	memcpy(qid, ev.qid.ptr, ev.qid.len);
	qid[ev.qid.len] = 0;
	if (!id_list_has(ids, qid))
		return 0;
	const char *at = memchr(ev.rcpt.ptr, '@', ev.rcpt.len);
	if (at == NULL)
		return 0;
	*domain = (struct strview){at + 1, (size_t)(ev.rcpt.ptr + ev.rcpt.len - at - 1)};
	return domain->len > 0;
}

static int most_first(const void *a, const void *b)
{
	const struct damage_domain *x = a, *y = b;
	if (x->delivered != y->delivered)
		return x->delivered > y->delivered ? -1 : 1;
	return strcmp(x->domain, y->domain);
}

int damage_count(const struct model *m, const struct suspect *sus, size_t nsus, const char *const *logs, size_t nlogs,
		 int64_t until, struct damage *out, struct error *err)
{
	memset(out, 0, sizeof(*out));
	struct suspects_ids s = {m, sus, nsus, {0}};
	model_foreach_record(m, collect_ids, &s);
	out->messages = s.ids.count;
	struct time_context tc;
	time_context_init(&tc, (time_t)model_reference(m));	/* the year the model gave the same stamps */
	int rc = 0;
	for (size_t i = 0; s.ids.count && i < nlogs && rc == 0; i++) {
		int past = 0;	/* a line after until was read: the rest of this file is later (another
				 * file may be another host's, read on) */
		struct line_source *src = source_open_regular(logs[i], 0, err);
		if (src == NULL) {
			rc = -1;
			break;
		}
		const char *line;
		size_t len;
		struct strview domain;
		while (!past && (rc = source_next(src, &line, &len, err)) > 0) {
			int d = a_delivery(&tc, line, len, &s.ids, until, &domain);
			if (d > 0)
				add_delivery(out, domain.ptr, domain.len);
			past = d < 0;
		}
		source_close(src);
		rc = rc < 0 ? -1 : 0;
	}
	id_list_free(&s.ids);
	if (out->count)
		qsort(out->d, out->count, sizeof(out->d[0]), most_first);
	return rc;
}

void damage_free(struct damage *d)
{
	free(d->d);
	memset(d, 0, sizeof(*d));
}
