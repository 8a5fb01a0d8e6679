/*
 * intern - one stored copy of each distinct string (addresses, IPs, users).
 *
 * Interned strings live in large arena chunks until intern_free(); equal
 * strings get the same pointer, so aggregates can be keyed by pointer.
 * Strings carry their length and may hold any byte, NUL included (log lines
 * are hostile); they are also NUL-terminated for convenience. Each has a few
 * integer slots its owner may use, so that a string can lead straight to
 * the records keyed by it without a second lookup. The hash is seeded per
 * process: attackers choose these strings and must not be able to aim
 * collisions at the table. Every table of the process hashes alike, so a
 * parser thread can hash a line's strings before the model interns them.
 */
#ifndef SPAMTOP_INTERN_H
#define SPAMTOP_INTERN_H

#include <stddef.h>
#include <stdint.h>

#define ISTR_REFS 5

struct istr {
	uint32_t len;
	uint32_t hash;
	uint32_t ref[ISTR_REFS];	/* free for the owner: the model keeps aggregate indices here */
	struct istr *fwd;	/* free for the owner too: the model's string moves */
	char s[];
};

struct intern_table;

struct intern_table *intern_new(void);
void intern_free(struct intern_table *t);
/* Returns the stored copy, or NULL when memory runs out. */
struct istr *intern(struct intern_table *t, const char *s, size_t len);
/* intern() with the string's intern_hash (any table's: they hash alike) */
struct istr *intern_hashed(struct intern_table *t, const char *s, size_t len, uint32_t h);
/* Like intern() but only looks: NULL when the string was never stored. */
struct istr *intern_find(const struct intern_table *t, const char *s, size_t len);
/* An empty table hashing as `like` does (same seed), with room for expect
 * strings before it grows: for compacting one into another. */
struct intern_table *intern_new_like(const struct intern_table *like, size_t expect);
/* Asks the caches for the table slot where a string of hash h would be (no effect otherwise). */
void intern_prefetch(const struct intern_table *t, uint32_t h);
size_t intern_count(const struct intern_table *t);
size_t intern_bytes(const struct intern_table *t);

/* The table's seeded hash, for other tables keyed by strings. */
uint32_t intern_hash(const struct intern_table *t, const char *s, size_t len);
/* A fresh random seed */
uint64_t intern_seed(void);
/* The seed every table hashes with: random, drawn once per process */
uint64_t intern_process_seed(void);

/* All 64 bits of the hash, with a seed of the caller's (intern_seed: a
 * random one): eight bytes a step, a final avalanche. Inline: the parser
 * hashes a few strings of every line with it. */
static inline uint64_t hash64_seeded(uint64_t seed, const char *s, size_t len)
{
	uint64_t h = seed ^ (len * 0x9E3779B97F4A7C15ull);
	while (len >= 8) {
		uint64_t w;
		__builtin_memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
		s += 8;
		len -= 8;
	}
	uint64_t w = 0;	/* the last 0-7 bytes, without a memcpy of variable length (a call) */
	if (len >= 4) {	/* two loads that overlap cover 4 to 7 bytes */
		uint32_t a, b;
		__builtin_memcpy(&a, s, 4);
		__builtin_memcpy(&b, s + len - 4, 4);
		w = (uint64_t)a << 32 | b;
	} else if (len) {	/* the empty string may come as a NULL pointer */
		w = (uint64_t)(unsigned char)s[0] << 16 | (uint64_t)(unsigned char)s[len / 2] << 8
		    | (unsigned char)s[len - 1];
	}
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 32;
	return h;
}

/* The intern hash (32 bits of hash64_seeded) with a seed of the caller's */
static inline uint32_t intern_hash_seeded(uint64_t seed, const char *s, size_t len)
{
	return (uint32_t)hash64_seeded(seed, s, len);
}

#endif
