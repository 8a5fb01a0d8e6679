/*
 * targets - fuzz targets: every parser that reads attacker-chosen text.
 *
 * One file, one entry point (LLVMFuzzerTestOneInput); the first byte of the
 * input picks the parser and the rest is its input, so a single corpus
 * covers them all and libFuzzer learns which prefix reaches which code:
 *   0 log lines -> model (and the report's tables over them)
 *   1 postqueue -j lines -> queue snapshot, joined with a model
 *   2 postcat -eh output -> named attributes and the Message-ID header
 *   3 text -> sanitize_text / sanitize_utf8 (everything that prints)
 *   4 key-binding and threshold lines (the same lines as both)
 *   5 mynetworks and domain lists
 *   6 postmulti -l output -> instances, and queue references
 * Built with -DFUZZ_LINES_ONLY every input goes to target 0 (the first
 * byte is still skipped, so the same seeds serve): `FUZZ_TARGET=lines
 * make fuzz` spends all its executions on the log-line parser and model.
 * Built with clang -fsanitize=fuzzer by `make fuzz`, and with a plain
 * main() (tests/fuzz/replay.c) that replays the saved regressions in
 * `make check`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/model/aggview.h"
#include "core/incident/alerts.h"
#include "core/model/detect.h"
#include "core/model/model.h"
#include "core/incident/netmatch.h"
#include "core/queue/queue.h"
#include "core/base/sanitize.h"
#include "core/queue/select.h"
#include "tui/keymap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void each_line(const char *s, size_t n, void (*fn)(const char *, size_t, void *), void *arg)
{
	const char *end = s + n;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		fn(s, len, arg);
		s += len + 1;
	}
}

static void to_model(const char *s, size_t n, void *arg)
{
	model_add_line(arg, s, n);
	if (model_wants_collect(arg))
		model_collect(arg);
}

static void to_queue(const char *s, size_t n, void *arg) { queue_add_json(arg, s, n); }

static void ignore_attr(const char *qid, const char *name, const char *value, void *arg)
{
	(void)qid, (void)name, (void)value, (void)arg;
}

static void fuzz_model(const char *s, size_t n)
{
	struct model_limits lim;
	model_limits_default(&lim);
	lim.max_open = 64;	/* reach eviction with small inputs */
	lim.keep_ended = 16;
	lim.max_keys = 8;	/* reach collection too */
	struct model *m = model_new(&lim, (time_t)1795564800);
	if (m == NULL)
		return;
	each_line(s, n, to_model, m);
	struct detect_thresholds t;
	detect_thresholds_default(&t);
	struct suspect sus[16];
	detect_suspects(m, &t, sus, 16);
	const struct agg_stats *top[8];
	for (int k = 0; k < AGG_KIND_COUNT; k++)
		for (int f = 0; f < F_FIELD_COUNT; f++)
			agg_top(m, (enum agg_kind)k, (enum agg_field)f, 0, top, 8);
	struct alert_config c;
	alert_config_default(&c);
	struct alert_result r;
	alert_evaluate(&c, m, NULL, (int64_t)model_now(m), 15, &r);
	alert_config_free(&c);
	model_free(m);
}

static void fuzz_queue(const char *s, size_t n)
{
	struct queue_snapshot *q = queue_snapshot_new();
	if (q == NULL)
		return;
	each_line(s, n, to_queue, q);
	queue_add_listing(q, s, n);
	size_t ages[QUEUE_AGE_BUCKETS];
	queue_age_histogram(q, 1795564800, ages);
	queue_snapshot_free(q);
}

static void fuzz_text(const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	sanitize_text(&b, s, n);
	for (size_t i = 0; i < b.len; i++)	/* the promise: nothing below space, no DEL */
		if ((unsigned char)b.data[i] < 0x20 || b.data[i] == 0x7f)
			abort();
	buf_reset(&b);
	sanitize_utf8(&b, s, n);
	buf_free(&b);
}

/* as_string - a line as a C string, cut to fit, for the parsers that take one */
static const char *as_string(const char *s, size_t n, char line[300])
{
	if (n >= 300)
		n = 299;
	memcpy(line, s, n);
	line[n] = 0;
	return line;
}

static void to_keymap(const char *s, size_t n, void *arg)
{
	char line[300];
	keymap_apply_line(arg, as_string(s, n, line), "fuzz", 1);
}

static void to_thresholds(const char *s, size_t n, void *arg)
{
	char line[300];
	alert_config_apply_line(arg, as_string(s, n, line), "fuzz", 1);
}

/* fuzz_config - the same lines as key bindings and as thresholds */
static void fuzz_config(const char *s, size_t n)
{
	struct keymap k;
	keymap_init(&k);
	each_line(s, n, to_keymap, &k);
	keymap_free(&k);
	struct alert_config c;
	alert_config_default(&c);
	each_line(s, n, to_thresholds, &c);
	alert_config_free(&c);
}

static void fuzz_lists(const char *s, size_t n)
{
	char *text = malloc(n + 1);
	if (text == NULL)
		return;
	memcpy(text, s, n);
	text[n] = 0;
	struct net_list l;
	net_list_parse(&l, text);
	struct buf out = BUF_INIT;
	const struct net_entry *wider;
	net_list_match(&l, "127.0.0.2");
	net_list_without(&l, "127.0.0.2", &out, &wider);
	buf_free(&out);
	net_list_free(&l);
	struct domain_list d;
	memset(&d, 0, sizeof(d));
	domain_list_add(&d, text);
	domain_list_has(&d, "example.org", 11);
	domain_list_free(&d);
	free(text);
}

/* fuzz_instances - postmulti -l output, and the queue references of a
 * snapshot with those instances */
static void fuzz_instances(const char *s, size_t n)
{
	struct queue_snapshot *q = queue_snapshot_new();
	if (q == NULL)
		return;
	instance_parse_postmulti(&q->inst, s, n);
	for (int i = 0; i < q->inst.count; i++) {
		const char *name = q->inst.at[i].syslog_name;
		if (instance_by_syslog_name(&q->inst, name, strlen(name)) < 0)
			abort();	/* every instance is found by its own name */
	}
	char line[300];
	queue_find_ref(q, as_string(s, n, line));
	queue_snapshot_free(q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
#ifdef FUZZ_LINES_ONLY
	fuzz_model(s, n);
	return 0;
#endif
	switch (data[0] % 7) {
	case 0: fuzz_model(s, n); break;
	case 1: fuzz_queue(s, n); break;
	case 2: postcat_attributes(s, n, ignore_attr, NULL); break;
	case 3: fuzz_text(s, n); break;
	case 4: fuzz_config(s, n); break;
	case 6: fuzz_instances(s, n); break;
	default: fuzz_lists(s, n); break;
	}
	return 0;
}
