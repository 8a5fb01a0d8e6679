/*
 * metrics_check.h - the metrics of a model as text (metrics_text), and a
 * strict reader of the Prometheus text exposition format for the tests:
 * every line a HELP, a TYPE (once per family, before its samples) or a
 * sample with well-formed, escaped label values.
 */
#ifndef SPAMTOP_METRICS_CHECK_H
#define SPAMTOP_METRICS_CHECK_H

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/incident/alerts.h"
#include "core/incident/metrics.h"

/* metrics_text - what `spamtop metrics` writes for m and q (malloc'd) */
static inline char *metrics_text(enum metrics_format fmt, const struct model *m, const struct queue_snapshot *q,
				 size_t top)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	struct alert_config c;
	alert_config_default(&c);
	struct alert_result r;
	alert_evaluate(&c, m, q, model_now(m), 15, &r);
	metrics_write(f, fmt, m, q, &r, top, TEST_REFERENCE);
	fclose(f);
	alert_config_free(&c);
	return text;
}

static inline const char *prom_name_end(const char *p)
{
	if (!(isalpha((unsigned char)*p) || *p == '_' || *p == ':'))
		return NULL;
	while (isalnum((unsigned char)*p) || *p == '_' || *p == ':')
		p++;
	return p;
}

/* prom_line_ok - one sample line; returns the metric name's length, 0 if malformed */
static inline size_t prom_sample_ok(const char *line)
{
	const char *p = prom_name_end(line);
	if (p == NULL)
		return 0;
	size_t nlen = (size_t)(p - line);
	if (*p == '{') {
		p++;
		for (;;) {
			const char *e = prom_name_end(p);
			if (e == NULL || e[0] != '=' || e[1] != '"')
				return 0;
			p = e + 2;
			for (; *p != '"'; p++) {
				if (*p == 0 || *p == '\n')
					return 0;
				if (*p == '\\') {
					p++;
					if (*p != '\\' && *p != '"' && *p != 'n')
						return 0;
				}
			}
			p++;
			if (*p == '}')
				break;
			if (*p++ != ',')
				return 0;
		}
		p++;
	}
	if (*p++ != ' ' || !isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	return *p == 0 ? nlen : 0;
}

static inline void check_prometheus(const char *text, size_t *series_of, const char *family)
{
	char typed[64][96];
	size_t ntyped = 0;
	*series_of = 0;
	char *copy = strdup(text), *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "# HELP ", 7) == 0)
			continue;
		char name[96], type[16];
		if (sscanf(line, "# TYPE %95s %15s", name, type) == 2) {
			assert_true(strcmp(type, "gauge") == 0 || strcmp(type, "counter") == 0);
			for (size_t i = 0; i < ntyped; i++)
				if (strcmp(typed[i], name) == 0)
					fail_msg("TYPE given twice for %s", name);
			snprintf(typed[ntyped++], sizeof(typed[0]), "%s", name);
			continue;
		}
		size_t nlen = prom_sample_ok(line);
		if (nlen == 0)
			fail_msg("not a valid sample line: %s", line);
		int known = 0;
		for (size_t i = 0; i < ntyped; i++)
			known |= strlen(typed[i]) == nlen && strncmp(typed[i], line, nlen) == 0;
		if (!known)
			fail_msg("sample before its TYPE: %s", line);
		if (strlen(family) == nlen && strncmp(line, family, nlen) == 0)
			(*series_of)++;
	}
	free(copy);
}

#endif
