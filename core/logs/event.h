/*
 * event - what one Postfix log line says, as a typed event.
 *
 * event_parse() reads the text after "service[pid]: " and fills a struct
 * pf_event whose fields are views into that text. It knows the lines an
 * incident needs: smtpd connect/disconnect/client=/SASL failures/rejects,
 * cleanup message-id and rejects, qmgr from=/removed/expired, delivery
 * agents' to=/status=, postsuper hold/release/delete/requeue, bounce
 * notifications and anvil statistics, and the front smtpd of a before-queue
 * filter (SMTPD_PROXY_README). Anything else is EV_OTHER.
 * No allocation, no regex.
 */
#ifndef SPAMTOP_EVENT_H
#define SPAMTOP_EVENT_H

#include <stdint.h>

#include "core/base/buf.h"
#include "core/logs/logline.h"

enum event_kind {
	EV_OTHER = 0,
	EV_CONNECT,		/* connect from NAME[IP] */
	EV_DISCONNECT,		/* disconnect from NAME[IP] ... */
	EV_CLIENT,		/* QID: client=NAME[IP][, sasl_method=, sasl_username=, sasl_sender=]
				   [, orig_queue_id=, orig_client=] */
	EV_PICKUP,		/* QID: uid=N from=<...> */
	EV_MESSAGE_ID,		/* QID: message-id=<...> */
	EV_QUEUED,		/* qmgr QID: from=<...>, size=N, nrcpt=N (queue active) */
	EV_REMOVED,		/* qmgr QID: removed */
	EV_EXPIRED,		/* qmgr QID: from=<...>, status=expired, returned to sender */
	EV_DELIVERY,		/* QID: to=<...>, [orig_to=,] relay=, delay=, dsn=, status= */
	EV_SASL_FAIL,		/* warning: NAME[IP]: SASL X authentication failed: ... */
	EV_REJECT,		/* NOQUEUE|QID: reject:/milter-reject: ... */
	EV_HOLD,		/* postsuper QID: placed on hold / cleanup QID: hold: */
	EV_RELEASE,		/* postsuper QID: released from hold */
	EV_DELETED,		/* postsuper QID: removed */
	EV_REQUEUED,		/* postsuper QID: requeued */
	EV_QUEUE_SUMMARY,	/* postsuper "Placed on hold: N messages" etc. */
	EV_BOUNCE_NOTICE,	/* QID: sender non-delivery notification: QID2 */
	EV_ANVIL,		/* statistics: max ... for (service:IP) */
	EV_PIPELINING,		/* improper command pipelining after X from NAME[IP] */
	EV_DISCARD,		/* cleanup QID: discard: / milter-discard: ...: accepted, then dropped */
	EV_PROXY_CLIENT,	/* NOQUEUE: client=NAME[IP][, sasl_method=, sasl_username=]: the front
				   smtpd of a before-queue filter (smtpd_proxy_filter) */
	EV_PROXY_ACCEPT,	/* proxy-accept: END-OF-MESSAGE: REPLY; from=<...> ...: queued_as
				   from the proxy's REPLY ("... queued as QID") */
	EV_KIND_COUNT
};

enum delivery_status {
	DS_NONE = 0, DS_SENT, DS_DEFERRED, DS_BOUNCED, DS_EXPIRED, DS_OTHER
};

/* Where a delivery took a message (delivery_dest in event.c) */
enum delivery_dest {
	DEST_UNKNOWN = 0,	/* an agent not known */
	DEST_HERE = 1,		/* a final delivery on this server: local, virtual, lmtp; to an
				 * address rewritten from one of ours (orig_to=); or relay_domains'
				 * mail handed on by the relay transport: mail for us */
	DEST_ONWARD = 2,	/* to another server (smtp): relayed, if the client was not a user */
	DEST_BY_DOMAIN = 4,	/* error(8), retry(8): here if the recipient's domain is one that
				 * deliveries here showed to be ours (the model learns them) */
	DEST_PIPE = 8,		/* pipe(8): a program on this server took it, a mailbox program
				 * (dovecot-lda, maildrop) or a content filter, whose copy comes
				 * back through sendmail and is judged by its own deliveries */
	DEST_DROPPED = 16	/* discard(8) (transport_maps "discard:"): dropped here */
};

enum reject_class {
	RJ_OTHER = 0, RJ_RELAY_DENIED, RJ_RBL, RJ_UNKNOWN_USER, RJ_SENDER, RJ_RECIPIENT,
	RJ_HELO, RJ_CLIENT, RJ_CONTENT, RJ_POLICY, RJ_RATE, RJ_CLASS_COUNT
};

enum summary_kind { SUM_NONE = 0, SUM_HOLD, SUM_RELEASE, SUM_DELETE, SUM_REQUEUE };

struct pf_event {
	/* first, together, what the model reads of the common lines (client=,
	 * from=, to=, message-id=, connect): a history read hands events from
	 * the reader's thread to the model's, and fewer cache lines move */
	enum event_kind kind;
	enum delivery_status status;
	struct strview qid;		/* empty for NOQUEUE and connection events */
	struct strview client_name, client_ip;
	struct strview sasl_method, sasl_username;
	struct strview orig_qid;	/* client= of a re-injected copy (XFORWARD): orig_queue_id=;
					 * pickup of a requeued message (postsuper -r): orig_id= */
	struct strview sender;		/* from=<...> without the brackets */
	long size, nrcpt;
	struct strview queued_as;	/* sent: the next MTA's "queued as QID" (a content filter's) */
	uint64_t message_id_hash;	/* message_id_hash() of message_id: hashed here, off the model's thread */
	uint32_t qid_hash, client_ip_hash, sender_hash;	/* their intern hashes (the process's seed, see
							 * intern.h): hashed here too, for the same reason */
	int16_t reputation;	/* deferred, bounced: reputation_classify() of status_text, else -1 */
	uint8_t dest;		/* a delivery: enum delivery_dest */
	int has_sender;
	uint64_t rcpt_domain_hash;	/* a delivery: address_domain_hash() of rcpt */
	uint32_t account_hash;	/* intern hash of sasl_username case-folded (ASCII), the account;
				 * 0 when not hashed here (none, or over 1024 bytes) */
	int account_folds;	/* sasl_username has upper case: the account is not its text */
	uint32_t sender_domain_hash;	/* intern hash of the sender's domain (after its last '@') in
					 * lower case; 0 when not hashed here (none, or over 255 bytes) */
	uint16_t sender_domain_len;	/* that domain: the sender's last bytes */
	uint8_t sender_domain_folds;	/* it has upper case */
	/* the rest */
	struct strview sasl_sender;
	struct strview message_id;
	struct strview rcpt, orig_to, relay, dsn, delay, status_text;
	struct strview reject_stage;	/* RCPT, CONNECT, END-OF-MESSAGE, header ... */
	struct strview reject_code;	/* "554" */
	struct strview reject_text;	/* "5.7.1 <x>: Relay access denied" */
	enum reject_class reject_class;
	struct strview helo, proto;
	struct strview other_qid;	/* bounce notification's new queue ID */
	struct strview local_uid;	/* pickup: uid=N, the submitting process's user ID */
	struct strview orig_client_name, orig_client_ip;	/* and orig_client=NAME[IP] */
	enum summary_kind summary;
	long count;			/* summary count, anvil value */
	struct strview anvil_what;	/* "connection rate" ... */
	int server_fault;		/* SASL failure caused by the server, not the client */
};

/* The Postfix event of a line that logline_parse split (LINE_POSTFIX) */
void event_parse(const struct log_line *ll, struct pf_event *ev);

/* Is s a syntactically valid Postfix queue ID (short hex or long form, see event.c)? */
int queue_id_valid(const char *s, size_t len);

/*
 * A Message-ID's hash as spamtop compares them: surrounding white space and
 * one pair of angle brackets dropped (cleanup logs "message-id=<x>", the
 * header reads "Message-Id: <x>"). 0 for an empty ID.
 */
uint64_t message_id_hash(const char *s, size_t len);
/* A domain name's hash, case folded (the process's seed: see intern.h); 0
 * for none (empty, or longer than a domain can be) */
uint64_t domain_name_hash(const char *name, size_t len);
/* domain_name_hash() of the address's domain (after its last '@'); 0 without one */
uint64_t address_domain_hash(const char *addr, size_t len);
/* An ID's 64-bit hash (FNV-1a), never 0: what a record keeps of an ID that proves it. */
uint64_t text_id_hash(const char *s, size_t len);

const char *event_kind_name(enum event_kind k);
const char *delivery_status_name(enum delivery_status s);
const char *reject_class_name(enum reject_class c);

#endif
