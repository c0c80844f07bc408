/* Prometheus metrics registry (see metrics.h). */
#include "metrics.h"

#include "core.h"
#include "http.h"
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double met_buckets[] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                     0.5,   1,     2.5,  5,     10,   30,  60};
#define MET_NBUCKETS (sizeof(met_buckets) / sizeof(met_buckets[0]))

struct met_series {
	char *labels;
	double value; /* counter/gauge; histogram: sum */
	unsigned long long count;
	unsigned long long buckets[MET_NBUCKETS];
	struct met_series *next;
};

struct met_family {
	char *name;
	char *help;
	enum ac_metric_type type;
	struct met_series *series;
	struct met_family *next;
};

static pthread_mutex_t met_lock = PTHREAD_MUTEX_INITIALIZER;
static struct met_family *met_families; /* in declaration order */
/* Listeners serving GET /metrics (metrics.listen, judge.metrics_listen);
 * event-loop thread only. */
#define MET_MAX_LISTENERS 4
static struct ac_http *met_http[MET_MAX_LISTENERS];

/* Under met_lock. */
static struct met_family *met_family(const char *name, enum ac_metric_type t)
{
	struct met_family **pp = &met_families, *f;

	for (; *pp; pp = &(*pp)->next)
		if (strcmp((*pp)->name, name) == 0)
			return *pp;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->name = strdup(name);
	f->help = strdup("");
	f->type = t;
	if (!f->name || !f->help) {
		free(f->name);
		free(f->help);
		free(f);
		return NULL;
	}
	*pp = f;
	return f;
}

static struct met_series *met_series(struct met_family *f, const char *labels)
{
	struct met_series **pp = &f->series, *s;

	if (!labels)
		labels = "";
	for (; *pp; pp = &(*pp)->next)
		if (strcmp((*pp)->labels, labels) == 0)
			return *pp;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->labels = strdup(labels);
	if (!s->labels) {
		free(s);
		return NULL;
	}
	*pp = s;
	return s;
}

void ac_metrics_declare(const char *name, enum ac_metric_type type,
                        const char *help)
{
	struct met_family *f;

	pthread_mutex_lock(&met_lock);
	f = met_family(name, type);
	if (f) {
		char *h = strdup(help ? help : "");
		if (h) {
			free(f->help);
			f->help = h;
		}
		f->type = type;
	}
	pthread_mutex_unlock(&met_lock);
}

void ac_metrics_declare_transport(void)
{
	ac_metrics_declare("queue_depth", AC_METRIC_GAUGE,
	                   "Messages waiting in a broker queue (refreshed "
	                   "every 5 s; only where the broker tells it).");
	ac_metrics_declare("broker_reconnects_total", AC_METRIC_COUNTER,
	                   "Reconnections to the message broker.");
}

static void met_update(const char *name, const char *labels,
                       enum ac_metric_type t, double v)
{
	struct met_family *f;
	struct met_series *s;

	pthread_mutex_lock(&met_lock);
	f = met_family(name, t);
	s = f ? met_series(f, labels) : NULL;
	if (s) {
		switch (t) {
		case AC_METRIC_COUNTER:
			s->value += v;
			break;
		case AC_METRIC_GAUGE:
			s->value = v;
			break;
		case AC_METRIC_HISTOGRAM:
			s->value += v;
			s->count++;
			for (size_t i = 0; i < MET_NBUCKETS; i++)
				if (v <= met_buckets[i])
					s->buckets[i]++;
			break;
		}
	}
	pthread_mutex_unlock(&met_lock);
}

void ac_metrics_add(const char *name, const char *labels, double v)
{
	met_update(name, labels, AC_METRIC_COUNTER, v);
}

void ac_metrics_set(const char *name, const char *labels, double v)
{
	met_update(name, labels, AC_METRIC_GAUGE, v);
}

void ac_metrics_observe(const char *name, const char *labels, double seconds)
{
	met_update(name, labels, AC_METRIC_HISTOGRAM, seconds);
}

/* Append to a growing buffer; returns 0 or -ENOMEM. */
struct met_buf {
	char *p;
	size_t len, cap;
};

static int met_printf(struct met_buf *b, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static int met_printf(struct met_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? room : 0, fmt,
		              ap);
		va_end(ap);
		if (n < 0)
			return -EINVAL;
		if (b->p && (size_t)n < room) {
			b->len += (size_t)n;
			return 0;
		}
		{
			size_t cap = b->cap ? b->cap * 2 : 4096;
			char *np;
			while (cap - b->len <= (size_t)n)
				cap *= 2;
			np = realloc(b->p, cap);
			if (!np)
				return -ENOMEM;
			b->p = np;
			b->cap = cap;
		}
	}
}

static const char *met_type_name(enum ac_metric_type t)
{
	return t == AC_METRIC_COUNTER ? "counter"
	       : t == AC_METRIC_GAUGE ? "gauge"
	                              : "histogram";
}

char *ac_metrics_render(void)
{
	struct met_buf b = {0};

	if (met_printf(&b, "%s", "") < 0)
		return NULL;
	pthread_mutex_lock(&met_lock);
	for (struct met_family *f = met_families; f; f = f->next) {
		met_printf(&b, "# HELP algocode_%s %s\n# TYPE algocode_%s %s\n",
		           f->name, f->help, f->name, met_type_name(f->type));
		for (struct met_series *s = f->series; s; s = s->next) {
			const char *l = s->labels;
			if (f->type != AC_METRIC_HISTOGRAM) {
				met_printf(&b, "algocode_%s%s%s%s %.17g\n",
				           f->name, *l ? "{" : "", l,
				           *l ? "}" : "", s->value);
				continue;
			}
			for (size_t i = 0; i < MET_NBUCKETS; i++)
				met_printf(&b,
				           "algocode_%s_bucket{%s%sle=\"%g\"} "
				           "%llu\n",
				           f->name, l, *l ? "," : "",
				           met_buckets[i], s->buckets[i]);
			met_printf(&b,
			           "algocode_%s_bucket{%s%sle=\"+Inf\"} %llu\n",
			           f->name, l, *l ? "," : "", s->count);
			met_printf(&b, "algocode_%s_sum%s%s%s %.17g\n", f->name,
			           *l ? "{" : "", l, *l ? "}" : "", s->value);
			met_printf(&b, "algocode_%s_count%s%s%s %llu\n",
			           f->name, *l ? "{" : "", l, *l ? "}" : "",
			           s->count);
		}
	}
	pthread_mutex_unlock(&met_lock);
	return b.p;
}

int ac_metrics_http_start(struct ac_core *core, const char *listen, char *err,
                          size_t errlen)
{
	const char *setting = "judge.metrics_listen";
	size_t i;
	int rc;

	if (!listen) {
		setting = "metrics.listen";
		listen = ac_config_string(core->cfg, setting, NULL);
		if (!listen || !*listen)
			return 0;
	}
	for (i = 0; i < MET_MAX_LISTENERS && met_http[i]; i++)
		;
	if (i == MET_MAX_LISTENERS) {
		snprintf(err, errlen, "%s: too many metrics listeners",
		         setting);
		return -ENOSPC;
	}
	rc = ac_http_open_metrics(core, setting, listen, &met_http[i], err,
	                          errlen);
	if (rc < 0)
		return rc;
	log_info("metrics on http://%s/metrics", ac_http_address(met_http[i]));
	return 0;
}

void ac_metrics_http_stop(struct ac_core *core)
{
	(void)core;
	for (size_t i = 0; i < MET_MAX_LISTENERS; i++) {
		ac_http_close_metrics(met_http[i]);
		met_http[i] = NULL;
	}
}
