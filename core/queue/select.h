/*
 * select - which queued messages an action is about.
 *
 * A selection is a conjunction: one or more queue IDs (any of them, in any
 * instance), a SASL user, an envelope sender, a client IP, a sender domain, a
 * PCRE2 pattern on the sender or any recipient, a Postfix instance, the user
 * ID that submitted it locally. It is evaluated on a queue snapshot joined
 * with the log model. Because the log may be stale (rotated, or a queue ID
 * reused), a selection by SASL user or client IP is then confirmed from each
 * queue file (`postcat -eq`: named_attribute sasl_username, client_address);
 * messages whose file disagrees, or that left the queue, are dropped and
 * counted, never acted on. A local user ID is confirmed from the header
 * pickup writes first in every file it takes from sendmail ("Received: by
 * HOST (Postfix, from userid N)", postcat -ehq): text the submitter wrote
 * comes after it. A message Dovecot's submission service relayed (without
 * XCLIENT) names no user either: it is confirmed when a Received header's
 * "id" is the transaction ID Dovecot logged with the account and the queue
 * ID (a random ID, logged after it was written). A message queued behind a before-queue filter
 * (smtpd_proxy_filter) is confirmed by its Message-ID header, the one
 * cleanup logged for it. A content filter's copy names neither (its
 * client is the filter): it is confirmed when its file proves it is the copy
 * the log tied to an original of that user or IP: log_ident= (XFORWARD) is
 * the original's queue ID, or its Message-ID header is the original's.
 * Each instance's files are read by its own postcat (-c CONFIG_DIR).
 */
#ifndef SPAMTOP_SELECT_H
#define SPAMTOP_SELECT_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/error.h"
#include "core/base/progress.h"
#include "core/queue/queue.h"

/* Queue IDs, each with the instance whose queue holds it (queue_snapshot's
 * inst.at[]; 0: the default instance), indexed by a hash so that a lookup
 * costs the same in a list of ten or of a hundred thousand. */
struct id_list {
	char (*ids)[33];
	uint8_t *inst;
	size_t count, cap;
	uint32_t *slots;	/* index + 1, open addressing on the queue ID */
	size_t mask;
};

struct selection {
	const char **ids;
	size_t nids;
	const char *sasl_user, *sender, *client_ip, *sender_domain, *match;
	const char *instance;	/* a Postfix instance's name, "default" for the default one */
	const char *local_uid;	/* submitted locally (sendmail) by this user ID */
	void *match_code;	/* compiled PCRE2 pattern (selection_compile) */
	void *match_data;
	struct work_progress *progress;	/* NULL, or where the confirmation says how far it is and may be stopped */
};

/* Checks every queue ID's syntax and compiles --match. */
int selection_compile(struct selection *s, struct error *err);
void selection_free(struct selection *s);
int selection_is_empty(const struct selection *s);
/* Does the (joined) message match every criterion? */
int selection_matches(const struct selection *s, const struct queue_snapshot *q,
		      const struct queued_msg *m);
/*
 * The messages a selection by SASL user, client IP or local uid cannot judge
 * from the log: the log does not say where they came from (queued before it
 * began, or its record was dropped), and every other criterion matches. Only
 * their queue files can tell (selection_confirm); added to out.
 */
int selection_collect_unlogged(const struct selection *s, const struct queue_snapshot *q,
			       struct id_list *out, struct error *err);
/* The IDs of all matching messages in the snapshot. */
int selection_collect(const struct selection *s, const struct queue_snapshot *q,
		      struct id_list *out, struct error *err);
/* Whether the selection relies on facts only the log or the queue file knows. */
int selection_needs_confirmation(const struct selection *s);
/*
 * Keeps in ids only the messages whose queue file confirms the SASL user /
 * client IP (or, for a copy, its origin: q is the joined snapshot the ids
 * come from); the others are moved to dropped. Runs postcat in batches.
 */
int selection_confirm(const struct selection *s, const struct queue_snapshot *q, struct id_list *ids,
		      struct id_list *dropped, struct error *err);
/* Human description: "SASL user victim@lab.example, client IP 127.0.0.11" */
void selection_describe(const struct selection *s, struct buf *out);
/* The command line that selects the same on another host: spamtop VERB --sasl-user 'x' ... */
void selection_command(const struct selection *s, const char *verb, struct buf *out);

/* The same as option words, each value attached to its option (--sasl-user=USER:
 * never read as an option itself), each word ended by a NUL in out; returns how many. */
size_t selection_words(const struct selection *s, struct buf *out);

int id_list_add(struct id_list *l, const char *qid);	/* of the default instance */
int id_list_add_in(struct id_list *l, int inst, const char *qid);
int id_list_has(const struct id_list *l, const char *qid);	/* in any instance */
int id_list_has_in(const struct id_list *l, int inst, const char *qid);
void id_list_free(struct id_list *l);

/* Parses `postcat -e[h]` output: calls fn(qid, name, value) for each named
 * attribute of each queue file shown, for its Message-ID header with the
 * name POSTCAT_MESSAGE_ID, and for the uid of pickup's Received header with
 * POSTCAT_PICKUP_UID; exposed for tests. */
#define POSTCAT_MESSAGE_ID "header:message-id"
/* ... and the uid of pickup's Received header when it is the file's first header */
#define POSTCAT_PICKUP_UID "header:pickup-userid"
/* ... and the "id" of each Received header (a folded line "id X"): Dovecot's
 * submission service names its transaction so, as in its log */
#define POSTCAT_RECEIVED_ID "header:received-id"
/* ... and the queue ID of each Received header an MTA added with "by HOST
 * (NAME) with PROTO id QID" on one folded line (Postfix's smtpd): a pipe
 * filter's copy holds its original's */
#define POSTCAT_RECEIVED_BY_ID "header:received-by-id"
void postcat_attributes(const char *text, size_t len,
			void (*fn)(const char *qid, const char *name, const char *value, void *arg),
			void *arg);

#endif
