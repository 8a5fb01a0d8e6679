/*
 * console - the live, top-style console: spamtop's default mode.
 *
 * It reads the given logs (history first, then following them), reads the
 * live queue in the background, and shows tabs of SASL users, client IPs,
 * senders, sender domains, the queue and authentication failures, with the
 * suspects flagged. Keys (the files in keymaps/) drill down to a message's log
 * trail and headers and act on the queue through core/queue/action: every action
 * is shown, confirmed, journaled; --dry-run only shows.
 */
#ifndef SPAMTOP_CONSOLE_H
#define SPAMTOP_CONSOLE_H

#include <stddef.h>

#include "core/model/detect.h"
#include "core/model/feed.h"
#include "core/model/source_spec.h"

#define CONSOLE_MAX_SOURCES FEED_MAX_SOURCES	/* the console takes the feed's sources */

struct console_options {
	const struct source_spec *sources;	/* logs: plain files are followed, .gz read once, - as it comes, */
	size_t nsources;	/* ssh ones followed through ssh; several host names: a Host column */
	const char *keymap;	/* "default", "vim", or a file */
	const char *journal;
	int refresh_ms;
	int dry_run, no_queue, from_end, no_color;
	size_t max_keys;	/* aggregates kept per table before the coldest go; 0: the default */
	int64_t ip_window;	/* seconds a user's client IPs are counted within; 0: the default */
	long since;		/* seconds: lines older than now - since are skipped (--since); 0 all */
	int journald;		/* also read Postfix's entries from the systemd journal (journalctl) */
	unsigned queue_warn, queue_crit;	/* 0: as the threshold files say (100, 200) */
	const char *alert_cmd;	/* run (argv, no shell) when a check turns WARNING or CRITICAL */
	struct detect_thresholds thresholds;
	/* the guided cleanup */
	int cleanup, resume;	/* open it at start; at the saved step */
	const char *state_path;	/* its saved state */
	const char *incident_path;	/* where the incident report goes */
	const char *disable_cmd;	/* "doveadm kick {user}": step 4 for an account; unset: manual steps */
	const char *our_domains;	/* added to what postconf says is ours */
	int this_server;	/* the sources are this server's own logs: postconf's domains hold for them */
	const char *dovecot_config;	/* doveconf's -c for step 4's Dovecot block; NULL: Dovecot's own */
	size_t throttle_batch;	/* step 6's throttled release: messages a batch (0: the default) */
	int throttle_seconds;	/* and seconds between batches (0: the default) */
};

void console_options_default(struct console_options *o);
/* Runs until the user quits; returns the exit status (prints why on failure). */
int console_run(const struct console_options *o);

#endif
