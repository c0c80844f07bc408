/* A process-wide registry of Prometheus metrics: counters, gauges and
 * histograms, each with an optional label set.  Thread-safe; rendered in
 * the Prometheus text format by ac_metrics_render.  Roles and plugins
 * (through the host table) record into it; the api role and, in a judge
 * process, the metrics listener serve it on GET /metrics. */
#ifndef AC_METRICS_H
#define AC_METRICS_H
#include <stddef.h>

enum ac_metric_type {
	AC_METRIC_COUNTER = 'c',
	AC_METRIC_GAUGE = 'g',
	AC_METRIC_HISTOGRAM = 'h',
};

/* Declare a metric family (name without the algocode_ prefix) with its help
 * text.  Families used without a declaration are rendered untyped-free as
 * their first use's type with an empty help. */
void ac_metrics_declare(const char *name, enum ac_metric_type type,
                        const char *help);
/* Declare the families transport plugins record through host->metric
 * (queue_depth, broker_reconnects_total): called by the roles that use a
 * transport. */
void ac_metrics_declare_transport(void);
/* labels: Prometheus label pairs without braces, e.g. `lang="cpp"`; NULL or
 * "" for none.  Names and labels come from code, never from users. */
void ac_metrics_add(const char *name, const char *labels, double v);
void ac_metrics_set(const char *name, const char *labels, double v);
/* Histograms use fixed buckets in seconds (1 ms .. 60 s). */
void ac_metrics_observe(const char *name, const char *labels, double seconds);
/* Append the text format of every metric to a malloc'ed string. */
char *ac_metrics_render(void);
/* Serve GET /metrics on listen ("host:port", judge.metrics_listen) or, with
 * listen NULL, on the setting metrics.listen when set (else nothing): a
 * listener of its own, or the role listener at the same address, which
 * then serves /metrics too (core/http.h).  Returns 0 or -errno.  Stop
 * closes every one (idempotent). */
struct ac_core;
int ac_metrics_http_start(struct ac_core *core, const char *listen, char *err,
                          size_t errlen);
void ac_metrics_http_stop(struct ac_core *core);
#endif
