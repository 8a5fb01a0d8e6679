/*
 * detect - threshold rules over aggregates (see detect.h).
 */
#include "core/model/detect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/addr.h"

void detect_thresholds_default(struct detect_thresholds *t)
{
	t->user_client_ips = 3;
	t->user_rate_1m = 20;
	t->user_messages = 200;
	t->relay_rate_1m = 10;
	t->relay_messages = 200;
	t->failures = 3;	/* the usual lock-out policy: 3 failures in 20 minutes */
	t->local_rate_1m = 10;	/* a web shop's order mails come one at a time */
	t->local_messages = 200;
}

const char *suspect_kind_name(enum suspect_kind k)
{
	switch (k) {
	case SUSPECT_SASL_USER: return "sasl_user";
	case SUSPECT_TRUSTED_RELAY: return "trusted_relay";
	case SUSPECT_BRUTE_FORCE: return "brute_force";
	case SUSPECT_WEB_APP: return "web_app";
	}
	return "?";
}

enum agg_kind suspect_agg_kind(enum suspect_kind k)
{
	return k == SUSPECT_SASL_USER ? AGG_SASL_USER : k == SUSPECT_WEB_APP ? AGG_LOCAL_UID : AGG_CLIENT_IP;
}

/* rule - add a reason when value >= threshold (threshold 0 disables the rule) */
static void rule(struct suspect *s, uint64_t value, unsigned threshold, const char *what)
{
	if (threshold == 0 || value < threshold || s->nreasons >= SUSPECT_MAX_REASONS)
		return;
	snprintf(s->reasons[s->nreasons++], sizeof(s->reasons[0]), "%llu %s (threshold %u)",
		 (unsigned long long)value, what, threshold);
}

const char *detect_guessed_at(const struct agg_stats *a, unsigned threshold)
{
	if (threshold == 0 || a == NULL || a->failures_before_login < threshold)
		return NULL;
	const struct istr *ip = a->cracked_from;	/* printed as it is: an address's characters only */
	return ip && addr_text(ip->s, ip->len) ? ip->s : NULL;
}

int detect_may_be_guessing(const struct agg_stats *ip)
{
	return !addr_is_local_loopback(ip->key->s) && !model_own_failures_only(ip);
}

/* part_not_here - amount scaled by the share of of messages that were not
 * among the here delivered here; the whole amount when none was */
static uint64_t part_not_here(uint32_t here, uint32_t of, uint64_t amount)
{
	if (here == 0 || of == 0)
		return amount;
	return amount * (of > here ? of - here : 0) / of;
}

uint64_t detect_relayed_part(const struct agg_stats *ip, uint64_t amount)
{
	return part_not_here(ip->delivered_here, ip->unauth_msgs, amount);
}

uint64_t detect_leaving_part(const struct agg_stats *a, uint64_t amount)
{
	return part_not_here(a->delivered_here, a->msgs, amount);
}

/* relay_rules - an address that sends mostly unauthenticated mail: relayed
 * because it is trusted (mynetworks), unless that mail was for this server */
static void relay_rules(struct suspect *s, const struct agg_stats *a, const struct detect_thresholds *t)
{
	const char *busiest = "unauthenticated messages in its busiest minute";
	const char *in_log = "unauthenticated messages in the log";
	char what[112];	/* with the count and threshold, within a reason's room */
	if (a->delivered_here) {	/* counted: the share relayed, said so */
		snprintf(what, sizeof(what), "unauthenticated messages relayed in its busiest minute "
			 "(%u of its %u were mail for this server)", a->delivered_here, a->unauth_msgs);
		busiest = what;
		in_log = "unauthenticated messages in the log not delivered here";
	}
	rule(s, detect_relayed_part(a, a->peak_1m), t->relay_rate_1m, busiest);
	if (s->nreasons)
		rule(s, detect_relayed_part(a, a->unauth_msgs), t->relay_messages, in_log);
}

/* cracked - supports a sending account's other rules: it logged in from an
 * address right after that address failed logins (a guessed password) */
static void cracked(struct suspect *s, const struct agg_stats *a, unsigned threshold)
{
	const char *ip = detect_guessed_at(a, threshold);
	if (ip == NULL || s->nreasons >= SUSPECT_MAX_REASONS)
		return;
	snprintf(s->reasons[s->nreasons++], sizeof(s->reasons[0]),
		 "logged in from %s after %u failed logins from there within 20 minutes (threshold %u)", ip,
		 a->failures_before_login, threshold);
}

/* candidates - every aggregate that broke a rule, before the best n are kept */
struct candidates {
	struct suspect *items;
	size_t used, cap;
};

/* next - room for one more candidate; NULL when out of memory */
static struct suspect *next(struct candidates *c, enum suspect_kind kind, const struct agg_stats *a)
{
	if (c->used == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 64;
		struct suspect *n = realloc(c->items, ncap * sizeof(*n));
		if (n == NULL)
			return NULL;
		c->items = n;
		c->cap = ncap;
	}
	struct suspect *s = &c->items[c->used];
	s->kind = kind;
	s->agg = a;
	s->nreasons = 0;
	return s;
}

/* keep - the candidate stays if it broke a rule */
static void keep(struct candidates *c, const struct suspect *s)
{
	if (s && s->nreasons > 0)
		c->used++;
}

static int by_weight(const void *x, const void *y)
{
	const struct suspect *a = x, *b = y;
	uint64_t wa = a->agg->msgs + a->agg->sasl_failures, wb = b->agg->msgs + b->agg->sasl_failures;
	if (wa != wb)
		return wa < wb ? 1 : -1;
	if (a->kind != b->kind)
		return (int)a->kind - (int)b->kind;
	if (a->agg->host != b->agg->host)	/* the same on several hosts: the first host first */
		return (int)a->agg->host - (int)b->agg->host;
	size_t la = a->agg->key->len, lb = b->agg->key->len;
	int c = memcmp(a->agg->key->s, b->agg->key->s, la < lb ? la : lb);
	return c ? c : (la > lb) - (la < lb);
}

size_t detect_suspects(const struct model *m, const struct detect_thresholds *t,
		       struct suspect *out, size_t n)
{
	struct candidates c = {NULL, 0, 0};
	for (size_t i = 0; i < model_agg_count(m, AGG_SASL_USER); i++) {
		const struct agg_stats *a = model_agg_at(m, AGG_SASL_USER, i);
		struct suspect *s = next(&c, SUSPECT_SASL_USER, a);
		if (s == NULL)
			break;
		char spread[100];	/* rate and spread together: see recent_source in model.c */
		snprintf(spread, sizeof(spread), "client IPs (an IPv6 /64 as one) within %lld minutes in which it sent %u+ messages",
			 (long long)(model_source_window(m) / 60), model_spread_messages(m));
		rule(s, a->peak_window_sources, t->user_client_ips, spread);
		rule(s, a->peak_1m, t->user_rate_1m, "messages in its busiest minute");
		if (s->nreasons) {	/* a busy day alone is no evidence: it supports the others */
			rule(s, a->msgs, t->user_messages, "messages in the log");
			cracked(s, a, t->failures);
		}
		keep(&c, s);
	}
	for (size_t i = 0; i < model_agg_count(m, AGG_CLIENT_IP); i++) {
		const struct agg_stats *a = model_agg_at(m, AGG_CLIENT_IP, i);
		/* mostly unauthenticated: relayed because the IP is trusted (a relay host
		 * may also carry a little authenticated mail of its own) */
		if (a->unauth_msgs > a->auth_msgs) {
			struct suspect *s = next(&c, SUSPECT_TRUSTED_RELAY, a);
			if (s == NULL)
				break;
			relay_rules(s, a, t);
			if (s->nreasons && addr_is_local_loopback(a->key->s) && s->nreasons < SUSPECT_MAX_REASONS)
				snprintf(s->reasons[s->nreasons++], sizeof(s->reasons[0]), "this machine's own loopback: "
					 "a process here sends over SMTP (a web application's mail library, a script)");
			keep(&c, s);
		}
		if (!detect_may_be_guessing(a))	/* a webmail's users, or an account's own device */
			continue;
		struct suspect *s = next(&c, SUSPECT_BRUTE_FORCE, a);
		if (s == NULL)
			break;
		rule(s, a->peak_failures_20m, t->failures, "SASL failures within 20 minutes");
		if (s->nreasons && a->mailbox_failures && s->nreasons < SUSPECT_MAX_REASONS)
			snprintf(s->reasons[s->nreasons++], sizeof(s->reasons[0]),
				 "%u of its %u failed logins at Dovecot's IMAP, POP3 or ManageSieve logins, "
				 "which a Postfix block does not reach", a->mailbox_failures, a->sasl_failures);
		keep(&c, s);
	}
	for (size_t i = 0; i < model_agg_count(m, AGG_LOCAL_UID); i++) {
		const struct agg_stats *a = model_agg_at(m, AGG_LOCAL_UID, i);
		struct suspect *s = next(&c, SUSPECT_WEB_APP, a);
		if (s == NULL)
			break;
		rule(s, a->peak_1m, t->local_rate_1m, "messages submitted locally (sendmail) in its busiest minute");
		if (s->nreasons)
			rule(s, a->msgs, t->local_messages, "messages submitted locally in the log");
		keep(&c, s);
	}
	if (c.used > 1)	/* the heaviest first, then keep n: none is lost to scan order */
		qsort(c.items, c.used, sizeof(*c.items), by_weight);
	size_t kept = c.used < n ? c.used : n;
	if (kept)
		memcpy(out, c.items, kept * sizeof(*out));
	free(c.items);
	return kept;
}
