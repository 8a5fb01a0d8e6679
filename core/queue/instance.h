/*
 * instance - the Postfix instances on this host, each with its own queue.
 *
 * A host may run several Postfix instances (postmulti, MULTI_INSTANCE_README:
 * e.g. postfix-in and postfix-out), each with a configuration directory and
 * a queue of its own. postqueue, postcat and postsuper act on one instance:
 * the default one, or the one named by -c CONFIG_DIR. The log names an
 * instance by its syslog_name ("postfix-out/smtpd"), which is the instance's
 * name unless an admin changed it. instance_discover() asks `postmulti -l`
 * for every instance (enabled or not: a disabled one can still hold mail)
 * and `postconf -c DIR -hx syslog_name` for how each is logged; without
 * postmulti there is just the default instance.
 */
#ifndef SPAMTOP_INSTANCE_H
#define SPAMTOP_INSTANCE_H

#include <stddef.h>

#include "core/base/error.h"

#define INSTANCE_MAX 16

struct postfix_instance {
	char name[64];		/* postmulti's name; "" for the default instance */
	char config_dir[256];	/* for -c; "" for the default instance (no -c) */
	char syslog_name[64];	/* up to the first '/': how its log lines begin */
};

struct instance_set {
	struct postfix_instance at[INSTANCE_MAX];	/* at[0]: the default instance */
	int count;
};

/* Just the default instance, logged as "postfix". */
void instance_set_default(struct instance_set *s);

/*
 * Reads this host's instances (postmulti -l, then postconf per instance).
 * Never fails: where postmulti is missing or says nothing usable, the set is
 * the default instance alone; a syslog_name postconf cannot tell is the
 * instance's name.
 */
void instance_discover(struct instance_set *s, int timeout_ms);

/* Parses `postmulti -l` output ("name group enabled config_dir" per line);
 * returns the instances read (exposed for tests). */
int instance_parse_postmulti(struct instance_set *s, const char *text, size_t len);

/* The instance logged under syslog prefix name (before the first '/'), or -1. */
int instance_by_syslog_name(const struct instance_set *s, const char *name, size_t len);

/*
 * Starts an argv for prog on instance in: {prog} for the default instance,
 * {prog, "-c", config_dir} for another. Returns the argv entries written.
 */
int instance_argv(const struct postfix_instance *in, const char *prog, char *argv[3]);

/* "default" or the instance's name, for people to read. */
const char *instance_label(const struct postfix_instance *in);

#endif
