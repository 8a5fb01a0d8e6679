/*
 * damage - what an outbreak's mail already reached: the suspects' messages
 * delivered (status=sent to a remote relay, not a local mailbox, not a
 * content filter's hand-off), per recipient domain, the most first: the
 * figures a blocklist removal request and the providers ask for.
 *
 * The suspects' queue IDs come from the model; the deliveries from reading
 * the logs again, line by line, through the same parser (logline, event),
 * each file up to its first line past `until` (a file is in time order).
 * Records the model collected as cold are not counted: the figures are a
 * floor ("at least"), said so.
 */
#ifndef SPAMTOP_DAMAGE_H
#define SPAMTOP_DAMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "core/model/detect.h"
#include "core/base/error.h"
#include "core/model/model.h"

struct damage_domain {
	char domain[128];
	uint32_t delivered;
};

struct damage {
	struct damage_domain *d;	/* the most delivered first, after damage_count */
	size_t count, cap;
	uint64_t delivered;		/* every delivery counted */
	size_t messages;		/* the suspects' messages the model knows */
};

/* Deliveries of the suspects' messages logged before `until` (0: whenever). -1 with err if a log cannot be read. */
int damage_count(const struct model *m, const struct suspect *sus, size_t nsus, const char *const *logs, size_t nlogs,
		 int64_t until, struct damage *out, struct error *err);
void damage_free(struct damage *d);

#endif
