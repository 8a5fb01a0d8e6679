/*
 * keymap - binding files, lookup and key names (see keymap.h).
 */
#include "keymap.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const struct action_info action_table[ACTION_COUNT] = {
	[ACTION_NONE] = {"none", "", "Remove the binding"},
#define ACTION(id, name, group, help) [ACTION_##id] = {name, group, help},
#include "actions.def"
#undef ACTION
};

static const char *const scope_names[KM_COUNT] = {"generic", "table", "pager", "wizard"};

static const struct {
	const char *name;
	int key;
} named_keys[] = {
	{"Enter", '\n'}, {"Esc", 27}, {"Space", ' '}, {"Tab", '\t'}, {"BackTab", KEY_BTAB},
	{"Up", KEY_UP}, {"Down", KEY_DOWN}, {"Left", KEY_LEFT}, {"Right", KEY_RIGHT},
	{"PgUp", KEY_PPAGE}, {"PgDn", KEY_NPAGE}, {"Home", KEY_HOME}, {"End", KEY_END},
	{"Backspace", KEY_BACKSPACE}, {"Delete", KEY_DC}, {"Insert", KEY_IC},
};

const char *keymap_scope_name(enum keymap_scope s) { return scope_names[s]; }

enum action_id action_by_name(const char *name)
{
	for (int a = 1; a < ACTION_COUNT; a++)
		if (strcmp(action_table[a].name, name) == 0)
			return (enum action_id)a;
	return ACTION_NONE;
}

int key_parse(const char *name)
{
	size_t len = strlen(name);
	if (len == 1 && name[0] > ' ' && name[0] < 127)
		return (unsigned char)name[0];
	for (size_t i = 0; i < sizeof(named_keys) / sizeof(named_keys[0]); i++)
		if (strcasecmp(named_keys[i].name, name) == 0)
			return named_keys[i].key;
	if ((name[0] == 'F' || name[0] == 'f') && len >= 2 && len <= 3) {
		int n = 0;
		for (size_t i = 1; i < len; i++) {
			if (name[i] < '0' || name[i] > '9')
				return -1;
			n = n * 10 + name[i] - '0';
		}
		return n >= 1 && n <= 12 ? KEY_F(n) : -1;
	}
	if (len == 3 && (name[0] == 'C' || name[0] == 'c') && name[1] == '-') {
		char c = name[2] | 0x20;
		if (c >= 'a' && c <= 'z')
			return c - 'a' + 1;
	}
	return -1;
}

void key_format(int key, struct buf *out)
{
	for (size_t i = 0; i < sizeof(named_keys) / sizeof(named_keys[0]); i++)
		if (named_keys[i].key == key) {
			buf_puts(out, named_keys[i].name);
			return;
		}
	if (key >= KEY_F(1) && key <= KEY_F(12))
		buf_printf(out, "F%d", key - KEY_F(0));
	else if (key >= 1 && key <= 26)
		buf_printf(out, "C-%c", 'a' + key - 1);
	else if (key > ' ' && key < 127)
		buf_putc(out, (char)key);
	else
		buf_printf(out, "<%d>", key);
}

void keymap_init(struct keymap *k)
{
	k->n = 0;
	k->nwarnings = 0;
	buf_init(&k->warnings);
}

void keymap_free(struct keymap *k) { buf_free(&k->warnings); }

static void warn(struct keymap *k, const char *origin, unsigned lineno, const char *what, const char *word)
{
	k->nwarnings++;
	buf_printf(&k->warnings, "%s:%u: %s", origin, lineno, what);
	if (word) {
		buf_puts(&k->warnings, " '");
		for (const char *p = word; *p; p++)	/* the file is not trusted either */
			buf_putc(&k->warnings, *p >= ' ' && *p < 127 ? *p : '?');
		buf_putc(&k->warnings, '\'');
	}
	buf_putc(&k->warnings, '\n');
}

static int scope_parse(const char *name)
{
	for (int s = 0; s < KM_COUNT; s++)
		if (strcmp(scope_names[s], name) == 0)
			return s;
	return -1;
}

/* bind - replace, add, or (ACTION_NONE) remove the binding of key in scope */
static void bind(struct keymap *k, enum keymap_scope scope, int key, enum action_id a)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->b[i].scope == scope && k->b[i].key == key) {
			k->b[i].action = a;
			return;
		}
	if (k->n < KEYMAP_MAX_BINDINGS)
		k->b[k->n++] = (struct key_binding){scope, key, a};
}

void keymap_apply_line(struct keymap *k, const char *line, const char *origin, unsigned lineno)
{
	char copy[256], *words[5], *save = NULL;
	int n = 0;
	if (strlen(line) >= sizeof(copy)) {
		warn(k, origin, lineno, "line too long", NULL);
		return;
	}
	snprintf(copy, sizeof(copy), "%s", line);
	char *hash = strchr(copy, '#');
	if (hash && (hash == copy || hash[-1] == ' ' || hash[-1] == '\t'))
		*hash = 0;	/* a comment; "bind generic # x" would need the key name */
	for (char *w = strtok_r(copy, " \t\r\n", &save); w && n < 5; w = strtok_r(NULL, " \t\r\n", &save))
		words[n++] = w;
	if (n == 0)
		return;
	if (strcmp(words[0], "bind") != 0) {
		warn(k, origin, lineno, "unknown command", words[0]);
		return;
	}
	if (n != 4) {
		warn(k, origin, lineno, "expected: bind KEYMAP KEY ACTION", NULL);
		return;
	}
	int scope = scope_parse(words[1]);
	int key = key_parse(words[2]);
	enum action_id a = action_by_name(words[3]);
	if (scope < 0)
		warn(k, origin, lineno, "unknown keymap (generic, table, pager, wizard)", words[1]);
	else if (key < 0)
		warn(k, origin, lineno, "unknown key", words[2]);
	else if (a == ACTION_NONE && strcmp(words[3], "none") != 0)
		warn(k, origin, lineno, "unknown action", words[3]);
	else
		bind(k, (enum keymap_scope)scope, key, a);
}

int keymap_load_file(struct keymap *k, const char *path)
{
	FILE *f = fopen(path, "re");
	if (f == NULL) {
		warn(k, path, 0, "cannot read the file", NULL);
		return -1;
	}
	char line[1024];
	unsigned lineno = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			int c;
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			warn(k, path, lineno, "line too long", NULL);
			continue;
		}
		keymap_apply_line(k, line, path, lineno);
	}
	fclose(f);
	return 0;
}

static enum action_id lookup_in(const struct keymap *k, enum keymap_scope scope, int key, int *found)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->b[i].scope == scope && k->b[i].key == key) {
			*found = 1;
			return k->b[i].action;
		}
	*found = 0;
	return ACTION_NONE;
}

enum action_id keymap_lookup(const struct keymap *k, enum keymap_scope scope, int key)
{
	int found;
	enum action_id a = lookup_in(k, scope, key, &found);
	if (found || scope == KM_GENERIC)
		return a;
	return lookup_in(k, KM_GENERIC, key, &found);
}

void keymap_keys_for(const struct keymap *k, enum keymap_scope scope, enum action_id a, struct buf *out)
{
	int first = 1;
	for (size_t i = 0; i < k->n; i++) {
		const struct key_binding *b = &k->b[i];
		if (b->action != a || (b->scope != scope && b->scope != KM_GENERIC))
			continue;
		if (keymap_lookup(k, scope, b->key) != a)	/* shadowed by the scope's own binding */
			continue;
		int found;
		if (b->scope == KM_GENERIC && scope != KM_GENERIC && (lookup_in(k, scope, b->key, &found), found))
			continue;	/* the scope binds the same key to the same action: listed once */
		if (!first)
			buf_puts(out, ", ");
		key_format(b->key, out);
		first = 0;
	}
}
