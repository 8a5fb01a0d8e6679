/*
 * trail - everything known about one queue ID, for the drill-down view.
 *
 * trail_collect() scans log files (plain or .gz) for the lines that name a
 * queue ID as a token (smtpd, cleanup, qmgr, delivery agents, postsuper,
 * bounce, and the proxies that name Postfix's reply: Dovecot's relay line, a
 * before-queue filter's proxy-accept), in file order, which is time order. trail_headers() asks the
 * queue file itself for its headers (`postcat -hq ID`, an argv, no shell).
 * The text returned is raw log and message text, attacker-chosen: callers
 * sanitize it before showing it.
 */
#ifndef SPAMTOP_TRAIL_H
#define SPAMTOP_TRAIL_H

#include <stddef.h>

#include "core/base/buf.h"
#include "core/base/error.h"
#include "core/queue/instance.h"
#include "core/base/progress.h"
#include "core/model/source_spec.h"

/* Does the line name qid as a whole token ("QID:", "QID,", "QID;", "QID'" or "QID" at the end)? */
int trail_line_names(const char *line, size_t len, const char *qid);
/*
 * Appends to out every line of the files that names qid ('\n'-terminated),
 * at most max_lines of them. Returns the number of lines, -1 with err if a
 * file could not be read or the search was cancelled (the lines found so far
 * stay in out). progress (may be NULL): bytes read of the files' sizes, and
 * its cancel flag, checked every TRAIL_STEP_BYTES.
 */
#define TRAIL_STEP_BYTES (1u << 20)
long trail_collect(const char *const *paths, size_t npaths, const char *qid, size_t max_lines,
		   struct work_progress *progress, struct buf *out, struct error *err);
/*
 * The same search in another server's log (s: an ssh source), done there:
 * `ssh ... HOST grep -F -e 'QID' -- 'PATH'` (an argv; the validated queue
 * ID and the path quoted for the remote shell), so that the log is never
 * copied here; of what grep gives, the lines naming qid as a token are kept,
 * at most max_lines. Stopped (-1, "cancelled") within SPAWN_STOP_POLL_MS of
 * progress->cancel (progress may be NULL); -1 with err when ssh or grep
 * fails. No line found is 0, not an error.
 */
long trail_collect_remote(const struct source_spec *s, const char *qid, size_t max_lines,
			  struct work_progress *progress, struct buf *out, struct error *err);
/* The message's headers from its queue file (postcat [-c DIR] -hq; in: the
 * instance whose queue holds it, NULL: the default); -1 with err (e.g. it left
 * the queue). */
int trail_headers(const struct postfix_instance *in, const char *qid, int timeout_ms, struct buf *out,
		  struct error *err);

#endif
