/*
 * metrics - the numbers of an outbreak for the monitoring system the admin
 * already runs: Prometheus text exposition (for node_exporter's textfile
 * collector) or InfluxDB line protocol (Telegraf, Kapacitor).
 *
 * Per-user and per-IP series are limited to the top N (by messages, or by
 * SASL failures), so an attack with a million addresses cannot blow up the
 * monitoring system's cardinality. Label and tag values are log text: they
 * are sanitized and escaped as each format requires.
 */
#ifndef SPAMTOP_METRICS_H
#define SPAMTOP_METRICS_H

#include <stdint.h>
#include <stdio.h>

#include "core/incident/alerts.h"
#include "core/model/model.h"
#include "core/queue/queue.h"

enum metrics_format { METRICS_PROMETHEUS, METRICS_INFLUX };

/* q may be NULL (the queue could not be read: spamtop_queue_up 0). */
void metrics_write(FILE *f, enum metrics_format fmt, const struct model *m, const struct queue_snapshot *q,
		   const struct alert_result *alerts, size_t top, int64_t now);

#endif
