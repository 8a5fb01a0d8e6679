/*
 * keymap - key bindings as data.
 *
 * A binding file holds lines `bind KEYMAP KEY ACTION` ('#' starts a
 * comment). KEYMAP is `generic` (every view falls back to it), `table`,
 * `pager` or `wizard` (the guided cleanup); KEY is a character (`q`, `/`, `G`) or a name (`Enter`, `Esc`,
 * `Space`, `Tab`, `BackTab`, `Up`, `Down`, `Left`, `Right`, `PgUp`, `PgDn`,
 * `Home`, `End`, `Backspace`, `Delete`, `F1`..`F12`, `C-a`..`C-z`); ACTION is
 * a name from tui/actions.def, or `none` to remove a binding. Later lines
 * override earlier ones, so a user file only says what it changes. A bad
 * line is a warning naming file and line, never an abort.
 */
#ifndef SPAMTOP_KEYMAP_H
#define SPAMTOP_KEYMAP_H

#include <stddef.h>

#include "core/base/buf.h"

enum action_id {
	ACTION_NONE = 0,
#define ACTION(id, name, group, help) ACTION_##id,
#include "actions.def"
#undef ACTION
	ACTION_COUNT
};

struct action_info {
	const char *name, *group, *help;
};

extern const struct action_info action_table[ACTION_COUNT];

enum keymap_scope { KM_GENERIC, KM_TABLE, KM_PAGER, KM_WIZARD, KM_COUNT };

#define KEYMAP_MAX_BINDINGS 256

struct key_binding {
	enum keymap_scope scope;
	int key;		/* a curses key code */
	enum action_id action;
};

struct keymap {
	struct key_binding b[KEYMAP_MAX_BINDINGS];
	size_t n;
	struct buf warnings;	/* "file:line: message\n" for each bad line */
	unsigned nwarnings;
};

void keymap_init(struct keymap *k);
void keymap_free(struct keymap *k);
/* Applies a binding file's lines; -1 if it cannot be read (a warning says why). */
int keymap_load_file(struct keymap *k, const char *path);
/* Applies one line (exposed for tests); origin and line number go into warnings. */
void keymap_apply_line(struct keymap *k, const char *line, const char *origin, unsigned lineno);
/* The action for key in scope, falling back to generic; ACTION_NONE if unbound. */
enum action_id keymap_lookup(const struct keymap *k, enum keymap_scope scope, int key);
/* "q, F10": the keys bound to an action in scope (generic ones included). */
void keymap_keys_for(const struct keymap *k, enum keymap_scope scope, enum action_id a, struct buf *out);

int key_parse(const char *name);	/* -1 if not a key */
void key_format(int key, struct buf *out);
enum action_id action_by_name(const char *name);	/* ACTION_NONE if unknown */
const char *keymap_scope_name(enum keymap_scope s);

#endif
