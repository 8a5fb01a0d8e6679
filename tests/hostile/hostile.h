/*
 * hostile.h - the table of hostile strings every printer is tested with.
 *
 * Attackers choose sender addresses, SASL user names, HELO names and client
 * names. Each string below goes through every place spamtop prints: the
 * report (text and JSON), the metrics (Prometheus and Influx), the incident
 * report, and the terminal (tests/unit/test_hostile.c asserts the bytes of
 * each; tests/e2e records the bytes the console writes to a real terminal).
 * hostile_write_log() puts each string into every field of a message's log
 * lines, as Postfix would log them.
 */
#ifndef SPAMTOP_TESTS_HOSTILE_H
#define SPAMTOP_TESTS_HOSTILE_H

#include <stdio.h>
#include <string.h>

struct hostile_string {
	const char *name;
	const char *s;
	size_t len;
};

#define HOSTILE(name, lit) {name, lit, sizeof(lit) - 1}

static const struct hostile_string hostile_strings[] = {
	HOSTILE("c0-controls", "a\x01" "b\x08" "c\x0b" "d\x1a" "e\x1f" "f"),
	HOSTILE("nul-byte", "before\0after"),
	HOSTILE("bel-del-cr", "bell\x07" "del\x7f" "cr\r" "end"),
	HOSTILE("csi-clear-colour", "\x1b[2J\x1b[31;1mRED\x1b[0m"),
	HOSTILE("csi-terminal-queries", "q\x1b[6n\x1b[21t\x1b[8;1;1t"),
	HOSTILE("osc-title", "\x1b]0;PWNED\x07title"),
	HOSTILE("osc-hyperlink", "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\"),
	HOSTILE("dcs", "\x1bP+q544e\x1b\\dcs"),
	HOSTILE("apc-pm-sos", "\x1b_apc\x1b\\\x1b^pm\x1b\\\x1bXsos\x1b\\"),
	HOSTILE("ris-reset", "reset\x1b" "c"),
	HOSTILE("c1-as-utf8", "\xc2\x9b" "2J\xc2\x9d" "0;T\xc2\x9c" "\xc2\x85" "nel"),
	HOSTILE("c1-raw-bytes", "\x9b" "2J\x9d" "0;T\x9c" "raw"),
	HOSTILE("bidi-overrides", "\xe2\x80\xae" "gnp.exe\xe2\x80\xac" "\xe2\x81\xa6" "x\xe2\x81\xa9" "\xd8\x9c" "y"),
	HOSTILE("zero-width", "a\xe2\x80\x8b" "b\xe2\x80\x8d" "c\xef\xbb\xbf" "d"),
	HOSTILE("line-separators", "ls\xe2\x80\xa8" "ps\xe2\x80\xa9" "end"),
	HOSTILE("invalid-utf8", "\xff\xfe\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc" "x"),
	HOSTILE("overlong-utf8", "\xc0\xaf\xe0\x80\xaf\xf0\x80\x80\xaf" "slash"),
	HOSTILE("surrogates", "\xed\xa0\x80\xed\xbf\xbf" "s"),
	HOSTILE("beyond-unicode", "\xf4\x90\x80\x80\xf8\x88\x80\x80\x80" "b"),
	HOSTILE("truncated-utf8", "abc\xe2\x80"),
	HOSTILE("wide-cjk", "\xe5\x85\xa8\xe8\xa7\x92\xe6\x96\x87\xe5\xad\x97\xe3\x81\xae\xe9\x80\x81\xe4\xbf\xa1\xe8\x80\x85"),
	HOSTILE("emoji-zwj", "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb\xf0\x9f\x8f\xb4\xe2\x80\x8d\xe2\x98\xa0\xef\xb8\x8f"),
	HOSTILE("combining-pile", "e\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81"),
	HOSTILE("quotes-backslashes", "\"quoted\"\\back\\\\slash\\n"),
	HOSTILE("markdown-html", "`rm -rf /`|**bold**|<script>alert(1)</script>|[x](http://evil.example)"),
	HOSTILE("format-specifiers", "%s%n%x%p%%"),
};

#define HOSTILE_COUNT (sizeof(hostile_strings) / sizeof(hostile_strings[0]))
#define HOSTILE_LONG 10000	/* and one address of 10 000 characters */

/* hostile_put - s written as is (NUL bytes and all) */
static inline void hostile_put(FILE *f, const char *s, size_t len) { fwrite(s, 1, len, f); }

static inline void hostile_message(FILE *f, unsigned i, const char *s, size_t len)
{
	unsigned sec = i % 60;
	fprintf(f, "Nov 24 23:40:%02u mail postfix/smtpd[9000]: 9AB%08X: client=", sec, i);
	hostile_put(f, s, len);
	fprintf(f, "[127.0.0.%u], sasl_method=LOGIN, sasl_username=", 20 + i % 200);
	hostile_put(f, s, len);
	fprintf(f, "\nNov 24 23:40:%02u mail postfix/qmgr[8719]: 9AB%08X: from=<", sec, i);
	hostile_put(f, s, len);
	fputs("@hostile.example>, size=100, nrcpt=1 (queue active)\n", f);
	fprintf(f, "Nov 24 23:40:%02u mail postfix/smtpd[9000]: NOQUEUE: reject: RCPT from unknown[127.0.1.%u]: "
		"554 5.7.1 <x@y.example>: Relay access denied; from=<", sec, 20 + i % 200);
	hostile_put(f, s, len);
	fputs("> to=<x@y.example> proto=ESMTP helo=<", f);
	hostile_put(f, s, len);
	fprintf(f, ">\nNov 24 23:40:%02u mail postfix/smtpd[9000]: warning: unknown[127.0.2.%u]: "
		"SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=", sec, 20 + i % 200);
	hostile_put(f, s, len);
	fputc('\n', f);
}

/* hostile_write_log - every hostile string in every field, then the long address */
static inline void hostile_write_log(FILE *f)
{
	for (unsigned i = 0; i < HOSTILE_COUNT; i++)
		hostile_message(f, i, hostile_strings[i].s, hostile_strings[i].len);
	static char longest[HOSTILE_LONG + 1];
	memset(longest, 'a', HOSTILE_LONG);
	memcpy(longest + HOSTILE_LONG - 10, "@x.example", 10);
	hostile_message(f, (unsigned)HOSTILE_COUNT, longest, HOSTILE_LONG);
}

#endif
