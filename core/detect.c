/*
 * detect - threshold rules over aggregates (see detect.h).
 */
#include "detect.h"

#include <stdio.h>
#include <stdlib.h>

void detect_thresholds_default(struct detect_thresholds *t)
{
	t->user_client_ips = 3;
	t->user_rate_1m = 20;
	t->user_messages = 200;
	t->relay_rate_1m = 10;
	t->relay_messages = 200;
	t->failures = 3;	/* the usual lock-out policy: 3 failures in 20 minutes */
}

const char *suspect_kind_name(enum suspect_kind k)
{
	switch (k) {
	case SUSPECT_SASL_USER: return "sasl_user";
	case SUSPECT_TRUSTED_RELAY: return "trusted_relay";
	case SUSPECT_BRUTE_FORCE: return "brute_force";
	}
	return "?";
}

/* rule - add a reason when value >= threshold (threshold 0 disables the rule) */
static void rule(struct suspect *s, uint64_t value, unsigned threshold, const char *what)
{
	if (threshold == 0 || value < threshold || s->nreasons >= SUSPECT_MAX_REASONS)
		return;
	snprintf(s->reasons[s->nreasons++], sizeof(s->reasons[0]), "%llu %s (threshold %u)",
		 (unsigned long long)value, what, threshold);
}

static size_t add(struct suspect *s, size_t used, size_t n)
{
	return s->nreasons > 0 && used < n ? used + 1 : used;
}

static int by_weight(const void *x, const void *y)
{
	const struct suspect *a = x, *b = y;
	uint64_t wa = a->agg->msgs + a->agg->sasl_failures, wb = b->agg->msgs + b->agg->sasl_failures;
	if (wa != wb)
		return wa < wb ? 1 : -1;
	return (int)a->kind - (int)b->kind;
}

size_t detect_suspects(const struct model *m, const struct detect_thresholds *t,
		       struct suspect *out, size_t n)
{
	size_t used = 0;
	for (size_t i = 0; i < model_agg_count(m, AGG_SASL_USER) && used < n; i++) {
		const struct agg_stats *a = model_agg_at(m, AGG_SASL_USER, i);
		struct suspect *s = &out[used];
		s->kind = SUSPECT_SASL_USER;
		s->agg = a;
		s->nreasons = 0;
		rule(s, a->distinct_ips, t->user_client_ips, "client IPs sent as this user");
		rule(s, a->peak_1m, t->user_rate_1m, "messages in its busiest minute");
		rule(s, a->msgs, t->user_messages, "messages in the log");
		used = add(s, used, n);
	}
	for (size_t i = 0; i < model_agg_count(m, AGG_CLIENT_IP) && used < n; i++) {
		const struct agg_stats *a = model_agg_at(m, AGG_CLIENT_IP, i);
		struct suspect *s = &out[used];
		s->kind = SUSPECT_TRUSTED_RELAY;
		s->agg = a;
		s->nreasons = 0;
		if (a->unauth_msgs > 0 && a->auth_msgs == 0) {
			rule(s, a->peak_1m, t->relay_rate_1m,
			     "unauthenticated messages in its busiest minute");
			rule(s, a->unauth_msgs, t->relay_messages, "unauthenticated messages in the log");
			used = add(s, used, n);
		}
		if (used >= n)
			break;
		s = &out[used];
		s->kind = SUSPECT_BRUTE_FORCE;
		s->agg = a;
		s->nreasons = 0;
		rule(s, a->peak_failures_20m, t->failures, "SASL failures within 20 minutes");
		used = add(s, used, n);
	}
	qsort(out, used, sizeof(*out), by_weight);
	return used;
}
