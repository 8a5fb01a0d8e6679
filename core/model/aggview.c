/*
 * aggview - field table, per-kind column lists and top-N selection (see aggview.h).
 */
#include "core/model/aggview.h"

#include <stdlib.h>
#include <string.h>

const struct agg_field_info agg_fields[F_FIELD_COUNT] = {
	[F_MSGS] = {"messages", "Msgs", 7},
	[F_RCPTS] = {"recipients", "Rcpts", 7},
	[F_BYTES] = {"bytes", "Bytes", 10},
	[F_SENT] = {"sent", "Sent", 6},
	[F_DEFERRED] = {"deferred", "Defer", 6},
	[F_BOUNCED] = {"bounced", "Bounce", 6},
	[F_EXPIRED] = {"expired", "Expir", 5},
	[F_HELD] = {"held", "Held", 5},
	[F_DELETED] = {"deleted", "Del", 5},
	[F_NULL_SENDER] = {"null_sender", "Null<>", 6},
	[F_CLIENT_IPS] = {"client_ips", "IPs", 5},
	[F_AUTH] = {"authenticated", "Auth", 6},
	[F_UNAUTH] = {"unauthenticated", "NoAuth", 6},
	[F_DELIVERED_HERE] = {"delivered_here", "Here", 5},	/* mail for this server, not relayed */
	[F_FAILURES] = {"sasl_failures", "AuthFail", 8},
	[F_FAILURES_20M] = {"sasl_failures_20m", "Fail20m", 7},
	[F_MAILBOX_FAILURES] = {"mailbox_failures", "IMAP/POP", 8},	/* of AuthFail: Dovecot's logins */
	/* of AuthFail: an account's own, at an address it had logged in from */
	[F_OWN_FAILURES] = {"own_account_failures", "OwnAcct", 7},
	[F_REJECTS] = {"rejects", "Reject", 6},
	[F_CONNECTS] = {"connects", "Conn", 6},
	[F_PIPELINING] = {"pipelining", "Pipe", 5},
	[F_RATE_1M] = {"rate_1m", "/1m", 5},
	[F_RATE_5M] = {"rate_5m", "/5m", 5},
	[F_RATE_15M] = {"rate_15m", "/15m", 5},
};

static const enum agg_field sender_columns[] = {
	F_MSGS, F_RCPTS, F_DEFERRED, F_BOUNCED, F_RATE_1M, F_RATE_5M, F_RATE_15M, F_FIELD_COUNT,
};
static const enum agg_field user_columns[] = {
	F_MSGS, F_RCPTS, F_CLIENT_IPS, F_DEFERRED, F_BOUNCED, F_FAILURES, F_RATE_1M, F_RATE_5M,
	F_RATE_15M, F_FIELD_COUNT,
};
static const enum agg_field ip_columns[] = {
	F_MSGS, F_AUTH, F_UNAUTH, F_NULL_SENDER, F_FAILURES, F_FAILURES_20M, F_REJECTS,
	F_RATE_1M, F_RATE_5M, F_FIELD_COUNT,
};

const struct agg_table_info agg_tables[AGG_KIND_COUNT] = {
	[AGG_SENDER] = {AGG_SENDER, "senders", "Senders", "Envelope sender", F_MSGS, sender_columns},
	[AGG_DOMAIN] = {AGG_DOMAIN, "sender_domains", "Sender domains", "Domain", F_MSGS, sender_columns},
	[AGG_SASL_USER] = {AGG_SASL_USER, "sasl_users", "SASL users", "SASL user", F_MSGS, user_columns},
	[AGG_CLIENT_IP] = {AGG_CLIENT_IP, "client_ips", "Client IPs", "Client IP", F_MSGS, ip_columns},
	[AGG_LOCAL_UID] = {AGG_LOCAL_UID, "local_uids", "Local submitters (sendmail)", "Local uid", F_MSGS,
			   sender_columns},
};

struct strview agg_shown_key(const struct agg_stats *a)
{
	if (a->spelling)	/* a SASL user: its name as first logged */
		return (struct strview){a->spelling->s, a->spelling->len};
	if (a->key->len == 0)
		return (struct strview){"<>", 2};
	return (struct strview){a->key->s, a->key->len};
}

uint64_t agg_field_value(const struct model *m, const struct agg_stats *a, enum agg_field f)
{
	switch (f) {
	case F_MSGS: return a->msgs;
	case F_RCPTS: return a->rcpts;
	case F_BYTES: return a->bytes;
	case F_SENT: return a->sent;
	case F_DEFERRED: return a->deferred;
	case F_BOUNCED: return a->bounced;
	case F_EXPIRED: return a->expired;
	case F_HELD: return a->held;
	case F_DELETED: return a->deleted;
	case F_NULL_SENDER: return a->null_sender;
	case F_CLIENT_IPS: return a->distinct_ips;
	case F_AUTH: return a->auth_msgs;
	case F_UNAUTH: return a->unauth_msgs;
	case F_DELIVERED_HERE: return a->delivered_here;
	case F_FAILURES: return a->sasl_failures;
	case F_FAILURES_20M: return agg_failures_within(m, a, 20);
	case F_MAILBOX_FAILURES: return a->mailbox_failures;
	case F_OWN_FAILURES: return a->own_failures;
	case F_REJECTS: return a->rejects;
	case F_CONNECTS: return a->connects;
	case F_PIPELINING: return a->pipelining;
	case F_RATE_1M: return agg_rate(m, &a->msg_rate, 1);
	case F_RATE_5M: return agg_rate(m, &a->msg_rate, 5);
	case F_RATE_15M: return agg_rate(m, &a->msg_rate, 15);
	case F_FIELD_COUNT: break;
	}
	return 0;
}

int agg_field_by_name(const char *name)
{
	for (int f = 0; f < F_FIELD_COUNT; f++)
		if (strcmp(agg_fields[f].name, name) == 0)
			return f;
	return -1;
}

struct sort_item {
	uint64_t value;
	const struct agg_stats *a;
};

static int by_value_desc(const void *x, const void *y)
{
	const struct sort_item *a = x, *b = y;
	if (a->value != b->value)
		return a->value < b->value ? 1 : -1;
	size_t n = a->a->key->len < b->a->key->len ? a->a->key->len : b->a->key->len;
	int c = memcmp(a->a->key->s, b->a->key->s, n);
	if (c)
		return c;
	if (a->a->key->len != b->a->key->len)
		return a->a->key->len < b->a->key->len ? -1 : 1;
	return (a->a->host > b->a->host) - (a->a->host < b->a->host);	/* one key on several hosts */
}

/* sift_down - the kept item ranked last at the heap's root (top-N selection) */
static void sift_down(struct sort_item *h, size_t n, size_t i)
{
	for (;;) {
		size_t worst = i, l = 2 * i + 1, r = l + 1;
		if (l < n && by_value_desc(&h[l], &h[worst]) > 0)
			worst = l;
		if (r < n && by_value_desc(&h[r], &h[worst]) > 0)
			worst = r;
		if (worst == i)
			return;
		struct sort_item t = h[i];
		h[i] = h[worst];
		h[worst] = t;
		i = worst;
	}
}

size_t agg_top(const struct model *m, enum agg_kind kind, enum agg_field field, int nonzero,
	       const struct agg_stats **out, size_t n)
{
	size_t count = model_agg_count(m, kind), used = 0;
	if (count == 0 || n == 0)
		return 0;
	size_t keep = n < count ? n : count;	/* the best `keep` so far, the last-ranked at the root */
	struct sort_item *items = malloc(keep * sizeof(*items));
	if (items == NULL)
		return 0;
	for (size_t i = 0; i < count; i++) {
		const struct agg_stats *a = model_agg_at(m, kind, i);
		struct sort_item it = {agg_field_value(m, a, field), a};
		if (nonzero && it.value == 0)
			continue;
		if (used < keep) {
			items[used++] = it;
			if (used == keep)
				for (size_t j = keep / 2; j-- > 0;)
					sift_down(items, keep, j);
		} else if (by_value_desc(&it, &items[0]) < 0) {
			items[0] = it;
			sift_down(items, keep, 0);
		}
	}
	qsort(items, used, sizeof(*items), by_value_desc);
	for (size_t i = 0; i < used; i++)
		out[i] = items[i].a;
	free(items);
	return used;
}
