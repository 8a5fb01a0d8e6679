/*
 * detect - name the suspects of an outbreak from the model, with reasons.
 *
 * Four kinds, the three causes of an outbreak plus its usual prelude: a
 * compromised SASL account (sends from many client IPs, or at a high rate),
 * a trusted relay host (unauthenticated mail at a high rate from one IP,
 * i.e. relayed because the IP is in mynetworks), a compromised web
 * application (mail submitted locally through sendmail at a high rate by
 * one user ID, e.g. www-data's 33), and brute force (SASL failures from one
 * IP within a window). Every suspect carries the
 * rules it broke as sentences with the measured value and the threshold.
 */
#ifndef SPAMTOP_DETECT_H
#define SPAMTOP_DETECT_H

#include <stddef.h>

#include "core/model/model.h"

struct detect_thresholds {
	unsigned user_client_ips;	/* distinct client IPs of one SASL user */
	unsigned user_rate_1m;		/* messages per minute of one SASL user */
	unsigned user_messages;		/* messages of one SASL user over the log (only */
					/* with another rule: a busy user is no suspect) */
	unsigned relay_rate_1m;		/* unauthenticated messages per minute from one IP */
	unsigned relay_messages;	/* unauthenticated messages from one IP over the log (idem) */
	unsigned failures;		/* SASL failures from one IP within 20 minutes */
	unsigned local_rate_1m;		/* messages per minute submitted locally by one uid */
	unsigned local_messages;	/* messages submitted locally by one uid over the log (idem) */
};

enum suspect_kind { SUSPECT_SASL_USER, SUSPECT_TRUSTED_RELAY, SUSPECT_BRUTE_FORCE, SUSPECT_WEB_APP };

#define SUSPECT_MAX_REASONS 4

struct suspect {
	enum suspect_kind kind;
	const struct agg_stats *agg;
	char reasons[SUSPECT_MAX_REASONS][160];
	int nreasons;
};

void detect_thresholds_default(struct detect_thresholds *t);
/* Fills up to n suspects, the most messages (then failures) first; returns the count. */
size_t detect_suspects(const struct model *m, const struct detect_thresholds *t,
		       struct suspect *out, size_t n);
const char *suspect_kind_name(enum suspect_kind k);
/*
 * Where an account's password was probably guessed: the address it logged in
 * from right after that address failed `threshold` or more logins within 20
 * minutes (the brute-force rule's), as text that is an address's only; NULL
 * when there is none.
 */
const char *detect_guessed_at(const struct agg_stats *a, unsigned threshold);
/*
 * Can a client IP's failed logins be someone guessing (what the brute-force
 * rule and the ip_failures alert count)? Not at this machine's loopback (a
 * webmail's users' typos, passed on), nor when every failure named an account
 * that had logged in from there before (its own device's old password).
 */
int detect_may_be_guessing(const struct agg_stats *ip);
/*
 * The part of an amount of ip's unauthenticated mail (its busiest minute, its
 * rate) that may be relayed: the amount scaled by the share of its messages
 * not delivered here. A busy sender of mail for this server (Gmail delivering
 * to our users, every message to local(8), virtual(8) or lmtp(8)) relays
 * nothing and is no trusted relay; one that never had a delivery here keeps
 * the whole amount.
 */
uint64_t detect_relayed_part(const struct agg_stats *ip, uint64_t amount);
/* The same over all of a's messages: the part of an amount of them (a
 * sender's rate) that left this server; a bounce remote sites send our users
 * is not this server's. */
uint64_t detect_leaving_part(const struct agg_stats *a, uint64_t amount);
/* The aggregate a suspect of kind k is (an account, a uid, else a client IP). */
enum agg_kind suspect_agg_kind(enum suspect_kind k);

#endif
