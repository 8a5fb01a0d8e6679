/*
 * queue - a snapshot of the live Postfix queue.
 *
 * Read from `postqueue -j` one JSON object (one message) at a time, never
 * the whole listing at once; `postqueue -p` is parsed where -j is missing
 * (Postfix before 3.1). Each message knows its queue, arrival time, size,
 * sender, recipients and delay reason; queue_join() adds the SASL user and
 * client IP the log model has for its queue ID. Those joined facts may be
 * stale (a reused ID, a rotated log): actions confirm them from the queue
 * file itself (see select.h).
 */
#ifndef SPAMTOP_QUEUE_H
#define SPAMTOP_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/buf.h"
#include "core/base/error.h"
#include "core/queue/instance.h"
#include "core/base/intern.h"
#include "core/model/model.h"

enum queue_name { QN_INCOMING, QN_ACTIVE, QN_DEFERRED, QN_HOLD, QN_MAILDROP, QN_CORRUPT, QN_OTHER,
		  QN_COUNT };

#define QUEUE_AGE_BUCKETS 10	/* qshape-style: 5, 10, 20, ... 1280+ minutes */

struct queued_msg {
	char qid[33];
	uint8_t instance;	/* queue_instance(): the Postfix instance whose queue holds it */
	enum queue_name queue;
	int64_t arrival;
	uint64_t size;
	const struct istr *sender;	/* "" for the null sender */
	const struct istr *delay_reason;	/* first recipient's, or NULL */
	uint32_t nrcpt;
	size_t rcpt_off, rcpt_len;	/* recipients, '\n'-separated, in snapshot text */
	const struct istr *sasl_user;	/* from the log model (queue_join), or NULL */
	const struct istr *client_ip;	/* idem */
	const struct istr *local_uid;	/* idem: submitted locally (sendmail) by this uid */
	uint8_t origin_logged;	/* the log says where it came from: its client, its sendmail uid,
				 * or Postfix itself (a bounce); 0: its file alone can tell */
	/* a content filter's copy (the model's RF_COPY): what proves its origin */
	const struct istr *origin_qid;	/* the original's queue ID, or NULL */
	uint64_t origin_msgid_hash;	/* message_id_hash() logged for the original, 0: none */
	/* relayed by Dovecot's submission service (the model's RF_PROXIED): its
	 * transaction's text_id_hash(), which the file's Received header proves; 0: not */
	uint64_t proxy_trace_hash;
	/* queued behind a before-queue filter (RF_FRONT): the Message-ID logged for
	 * it, which its file's header proves; 0: not */
	uint64_t front_msgid_hash;
};

struct queue_snapshot {
	struct queued_msg *msgs;
	size_t count, cap;
	struct intern_table *strings;
	struct buf text;
	size_t by_queue[QN_COUNT];
	uint64_t bytes;
	uint64_t bad_lines;	/* listing lines that did not parse */
	const char *method;	/* "postqueue -j" or "postqueue -p" */
	struct instance_set inst;	/* whose queues it holds (the default instance alone until loaded) */
	int loading;		/* the instance the messages being added belong to */
	uint32_t *id_slots;	/* msgs by queue ID (index + 1); NULL: queue_find scans */
	size_t id_mask;
	int id_index_lost;	/* out of memory once: scan from then on */
};

struct queue_snapshot *queue_snapshot_new(void);
void queue_snapshot_free(struct queue_snapshot *q);

/* Reads this host's instances (instance_discover), then runs postqueue
 * [-c DIR] (-j, else -p) for each and reads its whole queue. */
int queue_load(struct queue_snapshot *q, int timeout_ms, struct error *err);
/* One line of `postqueue -j` output; -1 (counted in bad_lines) if it is not a message. */
int queue_add_json(struct queue_snapshot *q, const char *line, size_t len);
/* A whole `postqueue -p` listing. */
int queue_add_listing(struct queue_snapshot *q, const char *text, size_t len);

void queue_join(struct queue_snapshot *q, const struct model *m);
/* How many queued messages the joined log does not say the origin of (origin_logged 0). */
size_t queue_unlogged_count(const struct queue_snapshot *q);
/* The message with that queue ID in instance inst (a hash lookup), or NULL. */
const struct queued_msg *queue_find_in(const struct queue_snapshot *q, int inst, const char *qid);
/* ... in any instance, the default first. */
const struct queued_msg *queue_find(const struct queue_snapshot *q, const char *qid);
/*
 * A queue reference names a message as people and the console write it:
 * "QID" (in any instance) or "INSTANCE:QID" ("default:QID" for the default
 * instance); no queue ID holds a ':'.
 */
const char *queue_ref_qid(const char *ref);	/* the queue ID part */
int queue_ref_matches(const struct queue_snapshot *q, const char *ref, const struct queued_msg *m);
const struct queued_msg *queue_find_ref(const struct queue_snapshot *q, const char *ref);
/* Appends m's reference: "QID" in the default instance, else "INSTANCE:QID". */
void queue_ref(const struct queue_snapshot *q, const struct queued_msg *m, struct buf *out);
/* The instance that holds m. */
const struct postfix_instance *queue_instance(const struct queue_snapshot *q, const struct queued_msg *m);
/* The log's record of a queued message (what queue_join joins), or NULL. */
const struct msg_record *queue_record(const struct queue_snapshot *q, const struct model *m,
				      const struct queued_msg *qm);
/* The queued message of a log record (host 0's), in the instance that logged it, or NULL. */
const struct queued_msg *queue_find_record(const struct queue_snapshot *q, const struct model *m,
					   const struct msg_record *r);
/* Recipients of a message as a view ('\n'-separated). */
struct strview queue_recipients(const struct queue_snapshot *q, const struct queued_msg *msg);

const char *queue_name_str(enum queue_name n);
enum queue_name queue_name_parse(const char *s, size_t len);
/* Counts messages by age at `now` into QUEUE_AGE_BUCKETS buckets. */
void queue_age_histogram(const struct queue_snapshot *q, int64_t now, size_t out[QUEUE_AGE_BUCKETS]);
extern const int queue_age_limits_minutes[QUEUE_AGE_BUCKETS];

#endif
