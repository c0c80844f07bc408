/* Prometheus metrics registry (see metrics.h). */
#include "metrics.h"

#include "core.h"
#include "http.h"
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

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

/* The seconds since the epoch this process started: its start in clock
 * ticks after boot (/proc/self/stat, field 22) plus the boot time. */
static double met_start_time(void)
{
	char buf[1024], *p;
	unsigned long long ticks = 0, btime = 0;
	FILE *f = fopen("/proc/self/stat", "re");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* After the command name in parentheses, which may hold spaces. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2,
	                 "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u "
	                 "%*u %*d %*d %*d %*d %*d %*d %llu",
	                 &ticks) != 1)
		return 0;
	f = fopen("/proc/stat", "re");
	if (!f)
		return 0;
	while (fgets(buf, sizeof(buf), f))
		if (sscanf(buf, "btime %llu", &btime) == 1)
			break;
	fclose(f);
	return (double)btime + (double)ticks / (double)sysconf(_SC_CLK_TCK);
}

static long met_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	long n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}

/* The Prometheus client libraries' process_* families, and build_info. */
static void met_process(struct met_buf *b)
{
	struct rusage ru;
	struct rlimit rl;
	unsigned long long size = 0, rss = 0;
	FILE *f;
	long fds = met_open_fds();

	if (getrusage(RUSAGE_SELF, &ru) == 0)
		met_printf(b,
		           "# HELP process_cpu_seconds_total Total user and "
		           "system CPU time spent in seconds.\n"
		           "# TYPE process_cpu_seconds_total counter\n"
		           "process_cpu_seconds_total %.6f\n",
		           (double)ru.ru_utime.tv_sec +
		                   ru.ru_utime.tv_usec / 1e6 +
		                   (double)ru.ru_stime.tv_sec +
		                   ru.ru_stime.tv_usec / 1e6);
	f = fopen("/proc/self/statm", "re");
	if (f) {
		if (fscanf(f, "%llu %llu", &size, &rss) == 2) {
			unsigned long long page =
			        (unsigned long long)sysconf(_SC_PAGESIZE);

			met_printf(
			        b,
			        "# HELP process_resident_memory_bytes "
			        "Resident memory size in bytes.\n"
			        "# TYPE process_resident_memory_bytes gauge\n"
			        "process_resident_memory_bytes %llu\n"
			        "# HELP process_virtual_memory_bytes Virtual "
			        "memory size in bytes.\n"
			        "# TYPE process_virtual_memory_bytes gauge\n"
			        "process_virtual_memory_bytes %llu\n",
			        rss * page, size * page);
		}
		fclose(f);
	}
	if (fds >= 0)
		met_printf(b,
		           "# HELP process_open_fds Number of open file "
		           "descriptors.\n"
		           "# TYPE process_open_fds gauge\n"
		           "process_open_fds %ld\n",
		           fds);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		met_printf(b,
		           "# HELP process_max_fds Maximum number of open file "
		           "descriptors.\n"
		           "# TYPE process_max_fds gauge\n"
		           "process_max_fds %llu\n",
		           (unsigned long long)rl.rlim_cur);
	met_printf(b,
	           "# HELP process_start_time_seconds Start time of the "
	           "process since unix epoch in seconds.\n"
	           "# TYPE process_start_time_seconds gauge\n"
	           "process_start_time_seconds %.2f\n",
	           met_start_time());
	met_printf(b,
	           "# HELP algocode_build_info The build: version and plugin "
	           "ABI; the value is 1.\n"
	           "# TYPE algocode_build_info gauge\n"
	           "algocode_build_info{version=\"%s\",abi=\"%u.%u\"} 1\n",
	           PACKAGE_VERSION, (unsigned)AC_ABI_VERSION,
	           (unsigned)AC_ABI_MINOR);
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
	met_process(&b);
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
