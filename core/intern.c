/*
 * intern - string interning over an arena and an open-addressing table.
 *
 * Lookup of an existing string allocates nothing: this is on the parser's
 * hot path. New strings are copied into arena chunks of 256 KiB.
 */
#include "intern.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE (256 * 1024)

struct chunk {
	struct chunk *next;
	size_t used;
	size_t size;
	char mem[];
};

struct intern_table {
	const struct istr **slots;
	size_t mask;		/* slot count - 1 (a power of two) */
	size_t count;
	size_t bytes;
	struct chunk *chunks;
};

/* intern_hash - FNV-1a, good enough for short keys and cheap */
uint32_t intern_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

struct intern_table *intern_new(void)
{
	struct intern_table *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->mask = 1023;
	t->slots = calloc(t->mask + 1, sizeof(*t->slots));
	if (t->slots == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

void intern_free(struct intern_table *t)
{
	if (t == NULL)
		return;
	struct chunk *c = t->chunks;
	while (c) {
		struct chunk *next = c->next;
		free(c);
		c = next;
	}
	free(t->slots);
	free(t);
}

/* arena_alloc - carve size bytes (8-aligned) from the current chunk */
static void *arena_alloc(struct intern_table *t, size_t size)
{
	size = (size + 7) & ~(size_t)7;
	struct chunk *c = t->chunks;
	if (c == NULL || c->size - c->used < size) {
		size_t csize = size > CHUNK_SIZE ? size : CHUNK_SIZE;
		c = malloc(sizeof(*c) + csize);
		if (c == NULL)
			return NULL;
		c->next = t->chunks;
		c->used = 0;
		c->size = csize;
		t->chunks = c;
	}
	void *p = c->mem + c->used;
	c->used += size;
	return p;
}

static int grow(struct intern_table *t)
{
	size_t nmask = t->mask * 2 + 1;
	const struct istr **ns = calloc(nmask + 1, sizeof(*ns));
	if (ns == NULL)
		return -1;
	for (size_t i = 0; i <= t->mask; i++) {
		const struct istr *e = t->slots[i];
		if (e == NULL)
			continue;
		size_t j = e->hash & nmask;
		while (ns[j])
			j = (j + 1) & nmask;
		ns[j] = e;
	}
	free(t->slots);
	t->slots = ns;
	t->mask = nmask;
	return 0;
}

/* find_slot - index of the string's slot, or of the empty slot it would take */
static size_t find_slot(const struct intern_table *t, const char *s, size_t len, uint32_t h)
{
	size_t i = h & t->mask;
	for (;;) {
		const struct istr *e = t->slots[i];
		if (e == NULL || (e->hash == h && e->len == len && memcmp(e->s, s, len) == 0))
			return i;
		i = (i + 1) & t->mask;
	}
}

const struct istr *intern_find(const struct intern_table *t, const char *s, size_t len)
{
	if (len > UINT32_MAX)
		return NULL;
	return t->slots[find_slot(t, s, len, intern_hash(s, len))];
}

const struct istr *intern(struct intern_table *t, const char *s, size_t len)
{
	if (len > UINT32_MAX - 1)
		return NULL;
	uint32_t h = intern_hash(s, len);
	size_t i = find_slot(t, s, len, h);
	if (t->slots[i])
		return t->slots[i];
	if ((t->count + 1) * 4 > (t->mask + 1) * 3) {
		if (grow(t) < 0)
			return NULL;
		i = find_slot(t, s, len, h);
	}
	struct istr *e = arena_alloc(t, sizeof(*e) + len + 1);
	if (e == NULL)
		return NULL;
	e->len = (uint32_t)len;
	e->hash = h;
	if (len)
		memcpy(e->s, s, len);
	e->s[len] = 0;
	t->slots[i] = e;
	t->count++;
	t->bytes += len;
	return e;
}

size_t intern_count(const struct intern_table *t) { return t->count; }
size_t intern_bytes(const struct intern_table *t) { return t->bytes; }
