/*
 * journal - the audit journal of queue actions, one JSON object per line.
 *
 * Every entry carries time (UTC), operator (SUDO_USER, else USER, else the
 * uid), host and pid. An action writes an entry before it runs ("planned")
 * and one after ("done"); if the first cannot be written and flushed to disk
 * the action must not run: there is never an action without its record.
 */
#ifndef SPAMTOP_JOURNAL_H
#define SPAMTOP_JOURNAL_H

#include <jansson.h>
#include <stdio.h>

#include "core/base/error.h"

#define JOURNAL_DEFAULT_PATH "/var/log/spamtop/journal.jsonl"

struct journal {
	FILE *f;
	char path[512];
};

/* Opens (creating the directory and file) for appending. */
int journal_open(struct journal *j, const char *path, struct error *err);
/* A new entry with time, operator, host and pid filled in. */
json_t *journal_entry(const char *phase);
/* Appends, flushes and fsyncs; steals the reference to entry. */
int journal_append(struct journal *j, json_t *entry, struct error *err);
void journal_close(struct journal *j);
/* A program's argv as the journal records every command: a JSON array of its
 * words, each as given (no word boundary lost, as in a line of text). */
json_t *journal_argv(char *const argv[]);
/* $SPAMTOP_JOURNAL, else JOURNAL_DEFAULT_PATH. */
const char *journal_default_path(void);
/* The name of whoever runs spamtop, for journal and report. */
const char *journal_operator(void);

#endif
