/*
 * model - the incident model built from Postfix log events.
 *
 * A SASL user's aggregate is its account: the name case-folded, so that a
 * user logged as "Admin@x" and "admin@x" is one (records keep the name as
 * logged, which is what the queue file says).
 *
 * One record per queue ID joins what smtpd, cleanup, qmgr, the delivery
 * agents and postsuper said about a message. Aggregates count messages,
 * recipients, bytes, delivery outcomes and 1/5/15-minute rates by envelope
 * sender, sender domain, SASL user (with distinct client IPs) and client IP
 * (authenticated vs unauthenticated, SASL failures, rejects).
 *
 * Queue IDs are reused by Postfix: a record ends at "removed" or "expired"
 * (or a refusal or a discard at the end of DATA, which no "removed"
 * follows before Postfix 3.10), and a later line with the same ID starts a
 * new record. Memory is bounded:
 * ended records are kept for history up to limits.keep_ended, open records
 * up to limits.max_open (the oldest are evicted and counted). Time is log
 * time: "now" is the newest time stamp seen, so replays behave like live.
 *
 * Content filters (amavis-style, FILTER_README): a message handed to the
 * filter comes back under a new queue ID from the re-injection smtpd. The
 * copy is tied to its origin by the client= line's orig_queue_id= (XFORWARD)
 * or by the origin's "status=sent (... queued as COPY)" when COPY is open
 * here; it inherits the origin's SASL user, client IP, sender and Message-ID
 * hash, and counts no message: the filter hop is not a client.
 *
 * A submission proxy (Dovecot's submission service, relaying to Postfix
 * without XCLIENT): Postfix logs the proxy's address and no account. The
 * proxy's "Successfully relayed message ... queued as QID" line names the
 * account; the record (open, or among the last ended) is then charged to it,
 * and to the address that logged in to the proxy when its login line (same
 * session ID) was read, instead of the proxy's (RF_PROXIED). Its failed
 * logins ("Disconnected (auth failed, N attempts ...)") count as N SASL
 * failures of that address against the name tried, as Postfix's own do.
 *
 * A before-queue content filter (smtpd_proxy_filter): the front smtpd logs
 * "NOQUEUE: client=NAME[IP], sasl_...", the smtpd behind the filter queues
 * the message from the filter's address, and the front's "proxy-accept: ...
 * queued as QID" ties the two: the record is then the front's client's and
 * account's (RF_FRONT), by the front smtpd's pid.
 *
 * Several Postfix instances on one host (postmulti) keep a queue each, and
 * a queue ID is only unique within one: records are keyed by the instance
 * the line's syslog_name names ("postfix-out/qmgr": postfix-out), numbered
 * in order of first sight ("postfix" is 0). A line that does not start a
 * message joins the record of its queue ID open in another instance when its
 * own has none: a delivery agent logged under another syslog_name.
 *
 * Several hosts: records and aggregates are kept per host, so queue IDs
 * never meet across hosts and a user seen on two hosts is two aggregates.
 * Host 0 is this machine: the live queue joins its records. By default a
 * line belongs to the host whose name it was logged with, so that one
 * central syslog file (rsyslog, syslog-ng, journald collecting for many
 * servers) is split as it is read: a log of one host name is host 0 whatever
 * the name (a log copied here); once a second name appears, the line's of
 * this machine's name (gethostname, compared up to the first dot) are host 0.
 * Names equal up to the first dot are one machine ("mx1", "mx1.example.org").
 * Naming hosts (spamtop --source NAME=PATH: model_add_host) turns that off:
 * each line then belongs to the host chosen by model_set_host.
 */
#ifndef SPAMTOP_MODEL_H
#define SPAMTOP_MODEL_H

#include <stdint.h>
#include <time.h>

#include "core/logs/event.h"
#include "core/base/intern.h"
#include "core/logs/logline.h"
#include "core/logs/reputation.h"

/* AGG_LOCAL_UID: mail submitted locally (sendmail, pickup), by the user ID
 * that submitted it: a web application's uid when its scripts are abused */
enum agg_kind { AGG_SENDER, AGG_DOMAIN, AGG_SASL_USER, AGG_CLIENT_IP, AGG_LOCAL_UID, AGG_KIND_COUNT };

#define RATE_MINUTES 16		/* message rates: 1, 5 and 15 minutes */
#define FAILURE_MINUTES 32	/* SASL failures: the 20-minute lock-out window */
#define FAILURE_WINDOW_MINUTES 20	/* the usual lock-out policy's window */

/* Counts per minute of log time; buckets saturate at 65535. */
struct minute_ring {
	int32_t newest;		/* minute number (epoch / 60) of the newest bucket */
	uint16_t n[RATE_MINUTES];
};

struct failure_ring {
	int32_t newest;
	uint16_t n[FAILURE_MINUTES];
};

#define MODEL_EARLIEST_TIME 631152000	/* 1990-01-01: an earlier stamp is a broken clock */
#define RECENT_SOURCES 16	/* a user's client sources remembered for the window count */

/* A SASL user's recent client sources (an IPv4 address, or an IPv6 /64: privacy
 * addresses rotate within one), the least recently seen replaced first. */
struct recent_sources {
	const struct istr *src[RECENT_SOURCES];
	int64_t last[RECENT_SOURCES];
	uint32_t msgs[RECENT_SOURCES];	/* messages from it since it was last idle a window long */
	uint32_t n;
};

#define MODEL_MAX_HOSTS 64
#define MODEL_MAX_INSTANCES 16	/* Postfix instances (postmulti) told apart */
#define MODEL_INSTANCE_NAME 64	/* longest syslog_name prefix + 1 */
#define MODEL_HOST_NAME 32	/* longest host name + 1 */

struct agg_stats {
	const struct istr *key;
	uint8_t host;		/* model_host_name() */
	uint64_t bytes;
	int64_t first_seen, last_seen;
	uint32_t msgs, rcpts;
	uint32_t sent, deferred, bounced, expired;	/* delivery outcomes (recipients) */
	uint32_t held, deleted;
	uint32_t null_sender;
	uint32_t auth_msgs, unauth_msgs;	/* client IP: over SASL or not */
	uint32_t delivered_here;	/* of msgs, those whose deliveries so far were all final
				 * deliveries on this server (DEST_HERE): mail for us, not relayed */
	uint32_t distinct_ips;	/* SASL user: client sources (IPv4, IPv6 /64) it sent from, ever */
	uint32_t peak_window_sources;	/* SASL user: most sources within one window (limits.source_window)
					 * in which it sent limits.spread_messages or more */
	uint32_t sasl_failures;	/* client IP: failed AUTHs from it; user: against it */
	uint32_t rejects, connects;
	uint32_t pipelining;	/* client IP: improper command pipelining (spam bots) */
	uint32_t proxied;	/* SASL user: messages Dovecot's submission service relayed for it:
				 * a Postfix block of the account does not reach them */
	uint32_t peak_1m;	/* most messages in 60 seconds (sliding over the minute buckets), ever */
	uint32_t peak_failures_20m;	/* most SASL failures within 20 minutes, ever */
	uint32_t mailbox_failures;	/* client IP, user: of sasl_failures, those at Dovecot's IMAP, POP3
					 * and ManageSieve logins, which no Postfix block reaches */
	uint32_t own_failures;	/* client IP: of sasl_failures, those naming an account that had logged
				 * in from it before (model_own_failures_only: a device's old password) */
	uint32_t failures_before_login;	/* SASL user: most failed logins its cracked_from had within 20
					 * minutes before the account logged in from there (0: none) */
	const struct istr *cracked_from;	/* SASL user: that address (a client IP's text) */
	const struct istr *last_user;	/* client IP: last SASL user it sent as or tried */
	const struct istr *spelling;	/* SASL user: the key is case-folded; the name as first logged */
	uint8_t several_spellings;	/* SASL user: logged in more than one spelling */
	struct minute_ring msg_rate;
	struct failure_ring *fail_rate;	/* allocated on the first SASL failure */
	struct recent_sources *recent;	/* SASL user: allocated on its first message */
};

enum record_flag {
	RF_QUEUED = 1,		/* qmgr from= seen (counted once) */
	RF_HELD = 2,
	RF_REMOVED = 4,
	RF_EXPIRED = 8,
	RF_DELETED = 16,	/* by postsuper -d */
	RF_NULL_SENDER = 32,
	RF_LOCAL = 64,		/* submitted by pickup (sendmail), not smtpd */
	RF_COUNTED = 128,	/* counted in totals.messages */
	RF_MESSAGE_ID = 256,	/* cleanup logged a message-id */
	RF_COPY = 512,		/* a content filter's re-injected copy: origin_qid's, not a new message */
	RF_NOTICE = 1024,	/* a bounce or delay notice Postfix wrote itself (bounce's "notification: QID") */
	RF_REJECTED = 2048,	/* refused at the end of DATA (a milter, header/body checks): never queued */
	RF_DISCARDED = 4096,	/* accepted, then dropped by a milter or header/body checks: never queued */
	RF_PROXIED = 8192,	/* relayed by Dovecot's submission service for sasl_user (no XCLIENT) */
	RF_FRONT = 16384,	/* queued behind a before-queue filter: client and account its front smtpd's */
	RF_HAS_COPY = 32768,	/* a content filter's copy was tied to it (RF_COPY, origin_qid) */
};

struct msg_record {
	char qid[33];
	uint8_t qid_len;
	uint32_t qid_hash;
	uint32_t agg[AGG_KIND_COUNT];	/* aggregate index + 1; 0 = none */
	const struct istr *client_name, *client_ip, *sasl_user, *sasl_method, *sender;
	const struct istr *local_uid;	/* submitted locally: pickup's uid=, as text */
	uint64_t msgid_hash;	/* message_id_hash() of the logged Message-ID (a copy: its origin's); 0 when
				 * it came with none (message-id=<>, or one cleanup made up for it) */
	char origin_qid[33];	/* RF_COPY: the message it is a copy of ("" when unknown) */
	uint64_t trace_id_hash;	/* RF_PROXIED: text_id_hash() of the proxy's transaction ID, the "id" of
				 * the Received header it added on top of the message */
	int64_t first_seen, last_seen;
	uint64_t size;
	uint32_t nrcpt;
	uint16_t sent, deferred, bounced;
	uint16_t flags;
	uint8_t host;
	uint8_t instance;	/* model_instance_name(): the Postfix instance whose log started it */
	uint8_t dest;		/* where its deliveries took it so far: enum delivery_dest bits */
	uint32_t older, newer;	/* open records in arrival order (index + 1) */
};

struct model_limits {
	size_t max_open;	/* open records kept; the oldest are evicted past it */
	size_t keep_ended;	/* ended (removed/expired) records kept for history */
	size_t max_field;	/* longest stored field; longer ones are cut and counted */
	size_t max_keys;	/* aggregates of each kind past which the coldest go (0: never) */
	int64_t source_window;	/* seconds: a user's client sources are counted within it (3600) */
	uint32_t spread_messages;	/* ... in a window in which it sent at least this many (10) */
};

struct reject_code_count {
	char code[4];
	uint64_t count;
};

struct model_totals {
	uint64_t lines, bytes, postfix_lines, other_lines, malformed_lines;
	uint64_t events[EV_KIND_COUNT];
	uint64_t messages;	/* records started by client=/pickup/first sight */
	uint64_t filter_copies;	/* re-injected copies tied to their origin, not counted in messages */
	uint64_t requeued_copies;	/* postsuper -r: a message back through pickup, tied to its origin */
	uint64_t null_sender, local_submissions;
	uint64_t bounce_notices;	/* messages Postfix wrote itself: non-delivery and delay notices */
	uint64_t proxied_messages;	/* relayed by Dovecot's submission service, charged to its account */
	uint64_t front_messages;	/* queued behind a before-queue filter, charged to its front's client */
	uint64_t auth_messages, unauth_messages;
	uint64_t rcpts, bytes_queued;
	uint64_t sent, deferred, bounced, expired;
	uint64_t sasl_failures, sasl_server_faults, rejects, connects, pipelining;
	uint64_t mailbox_failures;	/* of sasl_failures, at Dovecot's IMAP, POP3, ManageSieve logins */
	uint64_t rejects_by_class[RJ_CLASS_COUNT];
	struct reject_code_count reject_codes[16];
	uint64_t held, released, deleted, requeued;	/* per queue ID lines */
	uint64_t summary_held, summary_released, summary_deleted;	/* postsuper totals lines */
	uint64_t evicted_open, fields_cut, out_of_memory;
	uint64_t evicted_keys, collections;	/* model_collect() */
	uint64_t before_since;	/* lines older than model_set_since()'s time, skipped */
	uint64_t bad_time;	/* stamped before 1990 or over a day ahead: counted, ignored */
	uint64_t too_many_hosts;	/* logged by hosts past MODEL_MAX_HOSTS: counted, ignored */
	int64_t first_time, last_time;
};

struct model;

void model_limits_default(struct model_limits *lim);
struct model *model_new(const struct model_limits *lim, time_t reference);
/* The reference time the model dates year-less stamps by (a re-read of its logs uses the same). */
int64_t model_reference(const struct model *m);
void model_free(struct model *m);
/* All of the client IP's failed logins named an account that had logged in
 * from it before the failure: that account's own device with an old
 * password, which is no brute force (nor a guess that came true). */
int model_own_failures_only(const struct agg_stats *ip);

/* Parses one line (no newline) and applies it; returns how it was classified.
 * A line stamped before 1990, or more than a day after both the reference
 * time and the clock, is LINE_MALFORMED, counted in totals.bad_time. */
/*
 * A domain this server takes mail for, as its configuration says (Postfix's
 * mydestination, virtual and relay domains) or the admin named it: a
 * delivery over SMTP to it is mail for us (a gateway's transport_maps to
 * its inside server), not relayed. ".example.com" names its subdomains (as
 * in Postfix's lists). Deliveries here teach the model such domains too.
 * -1 for no domain, past a million, or out of memory.
 */
int model_add_our_domain(struct model *m, const char *domain, size_t len);
/* How many domains were named so (not learned), subdomain patterns included */
size_t model_our_domains_named(const struct model *m);
enum line_status model_add_line(struct model *m, const char *line, size_t len);
/* Asks the caches for what applying ev will look up first (its queue ID's
 * and strings' table slots): called a few lines ahead, it changes nothing. */
void model_prefetch(const struct model *m, const struct pf_event *ev);
/* model_add_line for a line split already (parse_ahead): ev is parsed from
 * ll when ev_parsed is 0, else it is ll's event. */
enum line_status model_add_parsed(struct model *m, size_t len, enum line_status st, const struct log_line *ll,
				  struct pf_event *ev, int ev_parsed);
/* Applies one parsed event (exposed for tests and other sources). */
void model_apply(struct model *m, const struct log_line *ll, const struct pf_event *ev);

/*
 * The number of the host called name: a name already given returns its
 * host; otherwise the first name names host 0 and later ones add hosts.
 * -1: too many, or out of memory. Names are cut to MODEL_HOST_NAME - 1 bytes.
 */
int model_add_host(struct model *m, const char *name);
/* The host the following lines belong to (0 until set). */
void model_set_host(struct model *m, int host);
int model_host_count(const struct model *m);	/* 1 until a second host is added */
/* Whether host 0 is known to be this machine: named first (--source), or
 * its lines were logged with this machine's name. A central log of other
 * servers only (read on a log server) has none: 0. */
int model_host_0_is_here(const struct model *m);
const char *model_host_name(const struct model *m, int host);	/* "" when never named */
/* The time of the host's newest Postfix line read (log time), 0 when none was. */
int64_t model_host_last_time(const struct model *m, int host);
/* Host number by name, or -1. */
int model_host_by_name(const struct model *m, const char *name);

/* Lines stamped before t are counted (before_since) and otherwise ignored: --since. */
void model_set_since(struct model *m, int64_t t);

const struct model_totals *model_totals(const struct model *m);
int64_t model_now(const struct model *m);

size_t model_agg_count(const struct model *m, enum agg_kind kind);
const struct agg_stats *model_agg_at(const struct model *m, enum agg_kind kind, size_t i);
/* The aggregate of key on host 0, or on the given host. */
const struct agg_stats *model_agg_find(const struct model *m, enum agg_kind kind,
				       const char *key, size_t len);
const struct agg_stats *model_agg_find_host(const struct model *m, int host, enum agg_kind kind,
					    const char *key, size_t len);

/*
 * Memory stays bounded on an endless log: once a kind has more than
 * limits.max_keys aggregates, model_wants_collect() says so, and
 * model_collect() drops the coldest (no open record refers to them;
 * the least activity, then the longest unseen, first) down to half the
 * limit, and moves the strings still in use into fresh tables (a user's
 * distinct client IPs then count an IP that went cold again if it comes
 * back). Every
 * agg_stats, msg_record and istr pointer taken from the model before is
 * invalid after it: owners collect between uses (ingest between lines, the
 * console before it rebuilds its views). Returns the aggregates dropped, or
 * -1 when out of memory (the strings then stay where they were).
 */
int model_wants_collect(const struct model *m);
long model_collect(struct model *m);

/* Messages in the 60 seconds ending at model_now(), from the minute buckets
 * (this minute's and the covered part of the previous one). */
uint64_t agg_rate_sliding(const struct model *m, const struct minute_ring *r);
/* Messages in the last `minutes` minutes (1..RATE_MINUTES) ending at model_now(). */
uint64_t agg_rate(const struct model *m, const struct minute_ring *r, int minutes);
/* Deliveries refused for our reputation (blocklists, providers' blocks), by
 * destination domain, every host's deliveries. */
const struct reputation_log *model_reputation(const struct model *m);
/* A SASL user's client sources within limits.source_window before model_now(). */
uint32_t agg_sources_within(const struct model *m, const struct agg_stats *a);
int64_t model_source_window(const struct model *m);
uint32_t model_spread_messages(const struct model *m);
/* The source an address counts as: itself, or for IPv6 its /64 ("2001:db8:1:2::/64"). */
size_t client_source(const char *ip, size_t len, char *out, size_t size);
/* SASL failures from a client IP in the last `minutes` minutes. */
uint64_t agg_failures_within(const struct model *m, const struct agg_stats *a, int minutes);

/* Open record by queue ID (on host 0: this machine; in any instance, "postfix" first), or NULL. */
const struct msg_record *model_find_open(const struct model *m, const char *qid);
const struct msg_record *model_find_open_host(const struct model *m, int host, const char *qid);
/* ... in one instance only (model_instance_find), or NULL. */
const struct msg_record *model_find_open_in(const struct model *m, int host, int inst, const char *qid);
/* The instance a syslog_name prefix names in the log ("postfix-out"), or -1 if never seen. */
int model_instance_find(const struct model *m, const char *name);
int model_instance_count(const struct model *m);	/* 1 until a second instance is logged */
const char *model_instance_name(const struct model *m, int inst);
/* Every open record, then every kept ended record; stops when fn returns non-zero. */
int model_foreach_record(const struct model *m, int (*fn)(const struct msg_record *, void *),
			 void *arg);
size_t model_open_count(const struct model *m);
/* Bytes held by the interned strings (addresses, IPs, users). */
size_t model_string_bytes(const struct model *m);
size_t model_ended_count(const struct model *m);

/* The domain part of an address, lower-cased into dst (empty for the null sender). */
size_t address_domain(const char *addr, size_t len, char *dst, size_t size);

#endif
