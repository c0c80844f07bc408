/* Declared settings: the core's table, the checker, typed readers and the
 * printer of the tables (core/settings.h). */
#include "settings.h"

#include "auth.h"
#include "config.h"
#include "core.h"
#include "http.h"
#include "log.h"
#include "msg.h"

#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#ifndef AC_CACHE_DIR
#define AC_CACHE_DIR "/var/cache/algocode"
#endif

#define ST_STRINGIFY(x) #x
#define ST_NUM(x)       ST_STRINGIFY(x)

/* Each section starts where the first component of the path changes
 * (the printer's headings); the top-level keys come first. */
const struct ac_setting ac_core_settings[] = {
        AC_SET_LIST("roles", "the roles this process runs: auth, api, judge"),
        AC_SET_STRING(
                "include_dir", NULL,
                "directory of *.conf fragments read in sorted order after "
                "this file (relative to its directory)"),
        AC_SET_STRING(
                "user", NULL,
                "serve started as root runs as this user, the sandbox in a "
                "root helper (unset: a warning and serve stays root)"),
        AC_SET_LIST("state_dirs",
                    "with user: directories created when missing and given to "
                    "the user before the switch"),
        AC_SET_STRING("log.level", "info", "error, warn, info or debug"),
        AC_SET_STRING("log.file", NULL,
                      "append log lines to this file instead of standard error "
                      "(reopened on SIGHUP)"),
        AC_SET_STRING("plugins.dir", AC_PLUGIN_DIR,
                      "plugins are loaded from DIR/KIND/NAME.so"),
        AC_SET_STRING("transport.plugin", NULL,
                      "how jobs and results travel: inproc, rabbitmq or nats"),
        AC_SET_STRING("store.plugin", NULL,
                      "where submissions and results are kept: sqlite or "
                      "redis_mongo"),
        AC_SET_STRING("sandbox.plugin", NULL,
                      "how submissions are isolated: ns or docker"),
        AC_SET_BOOL("sandbox.allow_degraded", "false",
                    "judge even where check-env says memory or process limits "
                    "cannot be enforced"),
        AC_SET_LIST("lang.plugins",
                    "the language plugins to load, in order; lang.NAME holds "
                    "the settings of each"),
        AC_SET_STRING("api.listen", "127.0.0.1:8080",
                      "address and port of the HTTP API"),
        AC_SET_STRING(
                "api.jwt_secret_file", NULL,
                "HS256 token secret, created (32 random bytes, mode 0600) "
                "when absent; required by the api role"),
        AC_SET_INT("api.max_source_kb", "64", 1, 65536,
                   "larger sources are answered 413"),
        AC_SET_INT("api.result_wait_s", "5", 0, 300,
                   "how long a result check waits for a pending result before "
                   "answering 202"),
        AC_SET_INT("api.max_body_kb", NULL, 1, 1 << 22,
                   "largest request body (default: max_source_kb * 6 + 64)"),
        AC_SET_INT("api.read_timeout_s", NULL, 1, 3600,
                   "a connection idle this long is closed (default: "
                   "result_wait_s + 25, at least 30; above result_wait_s)"),
        AC_SET_INT("api.request_timeout_s", "20", 1, 3600,
                   "the longest one request may take to arrive"),
        AC_SET_INT("api.max_header_kb", "16", 1, 1024,
                   "largest request headers"),
        AC_SET_INT("api.max_url_bytes", "4096", 64, 1 << 20, "longest URL"),
        AC_SET_INT("api.requeue_after_s", "300", 1, 86400 * 30,
                   "a pending submission last enqueued longer ago than this is "
                   "enqueued again"),
        AC_SET_INT("api.requeue_interval_s", "10", 1, 86400,
                   "how often that sweep runs"),
        AC_SET_INT(
                "api.max_attempts", "5", 1, 1000,
                "enqueues without a result before the submission is answered "
                "Internal Error"),
        AC_SET_INT("api.run_max_inputs", "8", 1, AC_MSG_MAX_INPUTS,
                   "inputs of one run with custom input; more: 413"),
        AC_SET_INT("api.run_max_input_kb", "64", 1, 16384,
                   "size of one input of a run; more: 413"),
        AC_SET_INT("api.run_max_runs", "1000", 1, 1000000,
                   "runs kept in memory (pending, or finished for 5 minutes); "
                   "more: 503"),
        AC_SET_FLOAT("api.rate_burst", "3", 1, 1e9,
                     "submissions per user: bucket size"),
        AC_SET_FLOAT("api.rate_per_s", "0.05", 1e-6, 1e9,
                     "submissions per user: refill rate per second"),
        AC_SET_INT(
                "api.stream_recheck_s", "15", 1, 3600,
                "a result stream writes a keep-alive and looks its result up "
                "this often"),
        AC_SET_INT("api.stream_max_s", "3600", 10, 86400,
                   "the longest a result stream stays open"),
        AC_SET_BOOL("api.console", "true", "serve the web console under /"),
        AC_SET_STRING(
                "api.console_dir", AC_CONSOLE_DIR,
                "the console's files; a missing directory leaves / unserved"),
        AC_SET_STRING(
                "api.openapi_file", AC_OPENAPI_FILE,
                "the document served at /api/v1/openapi.json; missing: 404"),
        AC_SET_STRING(
                "auth.listen", NULL,
                "address and port of the auth routes' own listener (unset: "
                "they are served on api.listen)"),
        AC_SET_STRING("auth.jwt_secret_file", NULL,
                      "HS256 token secret (default: api.jwt_secret_file)"),
        AC_SET_INT("auth.access_ttl_s", "900", 10, 86400,
                   "lifetime of an access token"),
        AC_SET_INT("auth.refresh_ttl_s", "604800", 60, 365 * 86400,
                   "lifetime of a refresh token"),
        AC_SET_INT("auth.hash_concurrency", "2", 1, 64,
                   "password hashes computed at once"),
        AC_SET_INT("auth.hash_opslimit", "2", 1, 16,
                   "Argon2id passes (crypto_pwhash opslimit)"),
        AC_SET_INT("auth.hash_memlimit_kb", "65536", 16, 4 * 1024 * 1024,
                   "Argon2id memory"),
        AC_SET_INT("auth.max_body_kb", "16", 1, 1024, "largest request body"),
        AC_SET_INT("auth.read_timeout_s", "30", 1, 3600,
                   "a connection idle this long is closed"),
        AC_SET_INT("auth.request_timeout_s", "10", 1, 3600,
                   "the longest one request may take to arrive"),
        AC_SET_INT("auth.password_min_length", ST_NUM(AC_AUTH_PASSWORD_MIN),
                   AC_AUTH_PASSWORD_MIN_LO, AC_AUTH_PASSWORD_MIN_HI,
                   "registration refuses shorter passwords (characters)"),
        AC_SET_FLOAT("auth.login_burst", "10", 1, 1e9,
                     "logins per client address: bucket size"),
        AC_SET_FLOAT("auth.login_per_s", "0.2", 1e-6, 1e9,
                     "logins per client address: refill rate per second"),
        AC_SET_FLOAT("auth.register_burst", "5", 1, 1e9,
                     "registrations per client address: bucket size"),
        AC_SET_FLOAT("auth.register_per_s", "0.0166667", 1e-6, 1e9,
                     "registrations per client address: refill rate per "
                     "second"),
        AC_SET_STRING("judge.problems_dir", NULL,
                      "problem packages, one directory each (required)"),
        AC_SET_STRING(
                "judge.work_dir", AC_DEFAULT_WORK_DIR,
                "run directories, compiled validators, the compile cache"),
        AC_SET_INT("judge.workers", "2", 1, 256,
                   "submissions judged at once (also the transport prefetch)"),
        AC_SET_BOOL("judge.all_tests", "false",
                    "run every test instead of stopping at the first failure"),
        AC_SET_BOOL(
                "judge.progress", "true",
                "publish a progress message after the compile step and each "
                "test"),
        AC_SET_INT(
                "judge.ie_retries", "2", 0, 10,
                "an Internal Error is judged again this many times before it "
                "is published"),
        AC_SET_INT("judge.shutdown_grace_s", "30", 0, 3600,
                   "on SIGTERM, running judgements get this long to finish"),
        AC_SET_BOOL("judge.reveal_secret_details", "false",
                    "results show the full messages of hidden tests too"),
        AC_SET_STRING("judge.metrics_listen", NULL,
                      "where a judge process serves GET /metrics"),
        AC_SET_INT("judge.compile_cache_mb", "256", 0, 1 << 30,
                   "size of the compile cache; 0: no cache"),
        AC_SET_INT("run.time_limit_ms", "2000", 1, 60000,
                   "CPU time of one run with custom input"),
        AC_SET_INT("run.memory_mb", "256", 16, 4096, "memory of one run"),
        AC_SET_INT("run.output_mb", "1", 1, 256,
                   "stdout of one run; more is OLE"),
        AC_SET_INT("run.stdout_kb", "64", 1, 65536,
                   "stdout kept in the run document"),
        AC_SET_INT("run.stderr_kb", "4", 1, 64,
                   "head of stderr kept in the run document"),
        AC_SET_INT("http.max_connections",
                   ST_NUM(AC_HTTP_DEFAULT_MAX_CONNECTIONS),
                   AC_HTTP_MIN_CONNECTIONS, 1 << 20,
                   "open connections of the process at most"),
        AC_SET_INT("http.max_connections_per_ip",
                   ST_NUM(AC_HTTP_DEFAULT_MAX_PER_IP), 0, 1 << 20,
                   "open connections from one client address (IPv6: its /64); "
                   "0: no cap"),
        AC_SET_INT("http.fd_reserve", ST_NUM(AC_HTTP_DEFAULT_FD_RESERVE), 16,
                   1 << 20,
                   "descriptors kept for everything that is not a connection"),
        AC_SET_STRING(
                "metrics.listen", NULL,
                "host:port where GET /metrics is served on a listener of its "
                "own"),
        {NULL, 0, NULL, 0, 0, NULL},
};

/* ------------------------------------------------------------ checking */

struct st_walk {
	const struct ac_config *cfg;
	const struct ac_setting *table;
	const char *group; /* "" for the core's table, else "lang.cpp" */
	const char *owner; /* "lang/cpp", NULL for the core */
	ac_settings_cb cb;
	void *arg;
	unsigned nerr;
};

static void st_error(struct st_walk *w, const config_setting_t *s,
                     const char *fmt, ...) AC_PRINTF(3, 4);
static void st_error(struct st_walk *w, const config_setting_t *s,
                     const char *fmt, ...)
{
	char where[640], path[512], reason[512], msg[1800];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	ac_config_origin(w->cfg, s, where, sizeof(where));
	ac_config_path(s, path, sizeof(path));
	snprintf(msg, sizeof(msg), "%s: %s: %s", where, path, reason);
	w->nerr++;
	if (w->cb)
		w->cb(w->arg, msg);
}

void ac_settings_errs_cb(void *arg, const char *msg)
{
	struct ac_settings_errs *e = arg;

	if (e->n++ == 0)
		snprintf(e->err, e->errlen, "%s", msg);
	else
		log_error("%s", msg);
}

const struct ac_setting *ac_settings_find(const struct ac_setting *table,
                                          const char *key)
{
	for (size_t i = 0; table && table[i].name; i++)
		if (strcmp(table[i].name, key) == 0)
			return &table[i];
	return NULL;
}

/* Does some entry of the table live below `prefix` ("a.b" for "a.b.c")? */
static bool st_has_below(const struct ac_setting *table, const char *prefix)
{
	size_t n = strlen(prefix);

	for (size_t i = 0; table && table[i].name; i++)
		if (strncmp(table[i].name, prefix, n) == 0 &&
		    table[i].name[n] == '.')
			return true;
	return false;
}

/* As config.c names a libconfig type, but a float is "a number with a
 * fraction" here (an integer setting given 1.5). */
static const char *st_type_name(int t)
{
	return t == CONFIG_TYPE_FLOAT ? "a number with a fraction"
	                              : ac_config_type_name(t);
}

/* Each type as an error wants it and as the documentation names it. */
static const struct {
	const char *want, *word;
} st_types[] = {
        [AC_SETTING_STRING] = {"a string", "string"},
        [AC_SETTING_INT] = {"an integer", "integer"},
        [AC_SETTING_BOOL] = {"a boolean (true or false)", "boolean"},
        [AC_SETTING_FLOAT] = {"a number", "number"},
        [AC_SETTING_LIST] = {"a string or a list of strings", "strings"},
        [AC_SETTING_GROUP] = {"a group", "group"},
};

/* As an error wants t, or (doc) as the documentation names it. */
static const char *st_type_text(enum ac_setting_type t, bool doc)
{
	if ((size_t)t >= sizeof(st_types) / sizeof(st_types[0]) ||
	    !st_types[t].want)
		return "?";
	return doc ? st_types[t].word : st_types[t].want;
}

/* A number, as "%g" would print it but exact for integers. */
static void st_num(char *buf, size_t len, double v)
{
	if (v == (double)(long long)v && v > -1e18 && v < 1e18)
		snprintf(buf, len, "%lld", (long long)v);
	else
		snprintf(buf, len, "%g", v);
}

static bool st_has_range(const struct ac_setting *e)
{
	return e->min != 0 || e->max != 0;
}

/* "" when the value of s fits e, else the reason in why. */
static bool st_value_ok(const config_setting_t *s, const struct ac_setting *e,
                        char *why, size_t len)
{
	int t = config_setting_type(s);
	char lo[32], hi[32], got[40];
	double v = 0;
	bool ok = false;

	switch (e->type) {
	case AC_SETTING_STRING:
		ok = t == CONFIG_TYPE_STRING;
		break;
	case AC_SETTING_BOOL:
		ok = t == CONFIG_TYPE_BOOL;
		break;
	case AC_SETTING_GROUP:
		ok = t == CONFIG_TYPE_GROUP;
		break;
	case AC_SETTING_LIST:
		ok = t == CONFIG_TYPE_STRING;
		if (t == CONFIG_TYPE_ARRAY || t == CONFIG_TYPE_LIST) {
			ok = true;
			for (int i = 0; i < config_setting_length(s); i++)
				if (config_setting_type(config_setting_get_elem(
				            s, i)) != CONFIG_TYPE_STRING)
					ok = false;
		}
		break;
	case AC_SETTING_INT:
		ok = t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
		if (ok) {
			long long n = config_setting_get_int64(s);

			if (t == CONFIG_TYPE_INT)
				n = config_setting_get_int(s);
			v = (double)n;
			snprintf(got, sizeof(got), "%lld", n);
		}
		break;
	case AC_SETTING_FLOAT:
		if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 ||
		    t == CONFIG_TYPE_FLOAT) {
			ok = true;
			v = t == CONFIG_TYPE_FLOAT
			            ? config_setting_get_float(s)
			            : (double)config_setting_get_int64(s);
			if (t == CONFIG_TYPE_INT)
				v = config_setting_get_int(s);
		} else if (t == CONFIG_TYPE_STRING) {
			const char *text = config_setting_get_string(s);
			char *end;

			errno = 0;
			v = strtod(text, &end);
			ok = !errno && end != text && !*end && v == v;
		}
		if (ok)
			st_num(got, sizeof(got), v);
		break;
	}
	if (!ok) {
		snprintf(why, len, "must be %s, not %s",
		         st_type_text(e->type, false), st_type_name(t));
		return false;
	}
	if ((e->type == AC_SETTING_INT || e->type == AC_SETTING_FLOAT) &&
	    st_has_range(e) && !(v >= e->min && v <= e->max)) {
		st_num(lo, sizeof(lo), e->min);
		st_num(hi, sizeof(hi), e->max);
		snprintf(why, len, "%s is out of range (%s to %s)", got, lo,
		         hi);
		return false;
	}
	return true;
}

/* Levenshtein distance, capped: for "did you mean". */
static size_t st_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[65], cur[65];

	if (la > 64 || lb > 64)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1,
			       sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			cur[j] = del < ins ? del : ins;
			if (sub < cur[j])
				cur[j] = sub;
		}
		memcpy(prev, cur, (lb + 1) * sizeof(*prev));
	}
	return prev[lb];
}

/* The closest declared key to rel (a typo), or NULL. */
static const char *st_suggest(const struct ac_setting *table, const char *rel)
{
	const char *best = NULL;
	size_t bestd = 3;

	for (size_t i = 0; table && table[i].name; i++) {
		size_t d = st_distance(rel, table[i].name);
		if (d < bestd) {
			bestd = d;
			best = table[i].name;
		}
	}
	return best;
}

static void st_unknown(struct st_walk *w, const config_setting_t *s,
                       const char *rel)
{
	const char *near = st_suggest(w->table, rel);
	char full[300] = "";

	if (near && w->group[0])
		snprintf(full, sizeof(full), "%s.%s", w->group, near);
	else if (near)
		snprintf(full, sizeof(full), "%s", near);
	st_error(w, s, "unknown setting%s%s%s%s%s", w->owner ? " of " : "",
	         w->owner ? w->owner : "", near ? " (did you mean " : "",
	         near ? full : "", near ? "?)" : "");
}

static bool st_is_lang_name(const struct ac_config *cfg, const char *name)
{
	const char **names = ac_config_string_list(cfg, "lang.plugins");
	bool found = false;

	for (size_t i = 0; names && names[i]; i++)
		if (strcmp(names[i], name) == 0)
			found = true;
	free(names);
	return found;
}

/* Is `path` (a group member of the core's walk) a plugin's group? */
static bool st_plugin_group(const char *path)
{
	return strcmp(path, "transport") == 0 || strcmp(path, "store") == 0 ||
	       strcmp(path, "sandbox") == 0 ||
	       (strncmp(path, "lang.", 5) == 0 && !strchr(path + 5, '.') &&
	        strcmp(path, "lang.plugins") != 0);
}

/* Walk the members of g; rel_prefix is g's path relative to the table
 * ("" at the table's root). */
static void st_walk_group(struct st_walk *w, const config_setting_t *g,
                          const char *rel_prefix)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, i);
		const struct ac_setting *e;
		char rel[512], full[600], why[200];

		snprintf(rel, sizeof(rel), "%s%s%s", rel_prefix,
		         rel_prefix[0] ? "." : "", config_setting_name(s));
		snprintf(full, sizeof(full), "%s%s%s", w->group,
		         w->group[0] ? "." : "", rel);
		if (!w->owner && st_plugin_group(full)) {
			/* The core checks only its own keys in there. */
			if (!config_setting_is_group(s)) {
				st_error(w, s, "must be a group, not %s",
				         st_type_name(config_setting_type(s)));
				continue;
			}
			/* A language not in lang.plugins is not loaded:
			 * ac_settings_unused_langs. */
			if (strncmp(full, "lang.", 5) == 0 &&
			    !st_is_lang_name(w->cfg, full + 5))
				continue;
			for (int j = 0; j < config_setting_length(s); j++) {
				const config_setting_t *m =
				        config_setting_get_elem(s, j);
				char sub[700];

				snprintf(sub, sizeof(sub), "%s.%s", full,
				         config_setting_name(m));
				e = ac_settings_find(w->table, sub);
				if (e && !st_value_ok(m, e, why, sizeof(why)))
					st_error(w, m, "%s", why);
			}
			continue;
		}
		if (w->owner && ac_settings_find(ac_core_settings, full))
			continue; /* the core's key in a plugin's group */
		e = ac_settings_find(w->table, rel);
		if (e) {
			if (!st_value_ok(s, e, why, sizeof(why)))
				st_error(w, s, "%s", why);
			continue;
		}
		if (config_setting_is_group(s) && st_has_below(w->table, rel)) {
			st_walk_group(w, s, rel);
			continue;
		}
		st_unknown(w, s, rel);
	}
}

void ac_settings_unused_langs(const struct ac_config *cfg,
                              void (*fn)(void *arg, const char *name,
                                         const char *origin),
                              void *arg)
{
	const config_setting_t *g = ac_config_lookup(cfg, "lang");

	for (int i = 0;
	     g && config_setting_is_group(g) && i < config_setting_length(g);
	     i++) {
		const config_setting_t *s = config_setting_get_elem(g, i);
		const char *name = config_setting_name(s);
		char where[640];

		if (strcmp(name, "plugins") == 0 ||
		    !config_setting_is_group(s) || st_is_lang_name(cfg, name))
			continue;
		ac_config_origin(cfg, s, where, sizeof(where));
		fn(arg, name, where);
	}
}

unsigned ac_settings_check_core(const struct ac_config *cfg, ac_settings_cb cb,
                                void *arg)
{
	struct st_walk w = {
	        .cfg = cfg,
	        .table = ac_core_settings,
	        .group = "",
	        .cb = cb,
	        .arg = arg,
	};

	st_walk_group(&w, ac_config_root(cfg), "");
	return w.nerr;
}

unsigned ac_settings_check_group(const struct ac_config *cfg, const char *group,
                                 const char *owner,
                                 const struct ac_setting *table,
                                 ac_settings_cb cb, void *arg)
{
	const config_setting_t *g = ac_config_lookup(cfg, group);
	struct st_walk w = {
	        .cfg = cfg,
	        .table = table,
	        .group = group,
	        .owner = owner,
	        .cb = cb,
	        .arg = arg,
	};

	if (!g || !config_setting_is_group(g))
		return 0; /* absent, or reported by the core's check */
	st_walk_group(&w, g, "");
	return w.nerr;
}

/* ------------------------------------------------------------- readers */

static int st_read(const struct ac_config *cfg, const char *path,
                   const struct ac_setting **entry, char *err, size_t errlen)
{
	const config_setting_t *s = ac_config_lookup(cfg, path);
	const struct ac_setting *e = ac_settings_find(ac_core_settings, path);
	char why[200];

	*entry = e;
	if (!e) {
		snprintf(err, errlen, "%s: not a declared setting", path);
		return -EINVAL;
	}
	if (!s)
		return e->def ? 1 : -ENOENT;
	if (!st_value_ok(s, e, why, sizeof(why))) {
		char where[640];

		ac_config_origin(cfg, s, where, sizeof(where));
		snprintf(err, errlen, "%s: %s: %s", where, path, why);
		return -EINVAL;
	}
	return 0;
}

/* The integer (into *i when i is not NULL) or the number (into *d) at
 * path, else its declared default. */
static int st_number(const struct ac_config *cfg, const char *path,
                     long long *i, double *d, char *err, size_t errlen)
{
	const struct ac_setting *e;
	int r = st_read(cfg, path, &e, err, errlen);

	if (r < 0)
		return r;
	if (r == 0)
		return i ? ac_config_get_int(cfg, path, i, err, errlen)
		         : ac_config_get_float(cfg, path, d, err, errlen);
	if (i)
		*i = strtoll(e->def, NULL, 10);
	else
		*d = strtod(e->def, NULL);
	return 0;
}

int ac_settings_int(const struct ac_config *cfg, const char *path,
                    long long *out, char *err, size_t errlen)
{
	return st_number(cfg, path, out, NULL, err, errlen);
}

int ac_settings_float(const struct ac_config *cfg, const char *path,
                      double *out, char *err, size_t errlen)
{
	return st_number(cfg, path, NULL, out, err, errlen);
}

int ac_settings_read(const struct ac_config *cfg,
                     const struct ac_settings_want *want, size_t n, char *err,
                     size_t errlen)
{
	for (size_t k = 0; k < n; k++) {
		int r = st_number(cfg, want[k].path, want[k].i,
		                  want[k].i ? NULL : want[k].d, err, errlen);

		if (r < 0 && r != -ENOENT)
			return r;
	}
	return 0;
}

/* ------------------------------------------------------------ printing */

/* Installation paths in a default, as the documentation names them. */
static void st_doc_default(const char *def, bool man, char *buf, size_t len)
{
	static const struct {
		const char *path, *doc, *man;
	} subst[] = {
	        {AC_PLUGIN_DIR, "$(pkglibdir)", "@pkglibdir@"},
	        {AC_CONSOLE_DIR, "$(pkgdatadir)/console",
	         "@pkgdatadir@/console"},
	        {AC_OPENAPI_FILE, "$(docdir)/openapi.json",
	         "@docdir@/openapi.json"},
	        {AC_CACHE_DIR, "$(localstatedir)/cache/algocode",
	         "@localstatedir@/cache/algocode"},
	};

	for (size_t i = 0; i < sizeof(subst) / sizeof(subst[0]); i++) {
		size_t n = strlen(subst[i].path);
		if (strncmp(def, subst[i].path, n) == 0) {
			snprintf(buf, len, "%s%s",
			         man ? subst[i].man : subst[i].doc, def + n);
			return;
		}
	}
	snprintf(buf, len, "%s", def);
}

/* The range as "1..65536", or "" */
static void st_range(const struct ac_setting *e, char *buf, size_t len)
{
	char lo[32], hi[32];

	buf[0] = '\0';
	if ((e->type != AC_SETTING_INT && e->type != AC_SETTING_FLOAT) ||
	    !st_has_range(e))
		return;
	st_num(lo, sizeof(lo), e->min);
	st_num(hi, sizeof(hi), e->max);
	snprintf(buf, len, "%s..%s", lo, hi);
}

/* Man: a backslash and a leading dot or quote need escaping. */
static void st_man_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else
			fputc(*s, f);
	}
}

/* The group a plugin's keys live in: "transport", "lang.cpp". */
static void st_plugin_group_of(const char *what, char *buf, size_t len)
{
	const char *slash = strchr(what, '/');

	if (slash && strncmp(what, "lang/", 5) == 0)
		snprintf(buf, len, "lang.%s", slash + 1);
	else if (slash)
		snprintf(buf, len, "%.*s", (int)(slash - what), what);
	else
		snprintf(buf, len, "%s", what);
}

/* The section of a core path: its first component, or "" at top level
 * (log.* and plugins.* are shown with the top level). */
static void st_section(const char *path, char *buf, size_t len)
{
	const char *dot = strchr(path, '.');

	if (!dot || strncmp(path, "log.", 4) == 0 ||
	    strncmp(path, "plugins.", 8) == 0)
		snprintf(buf, len, "top level");
	else if (strncmp(path, "transport.", 10) == 0 ||
	         strncmp(path, "store.", 6) == 0 ||
	         strncmp(path, "sandbox.", 8) == 0 ||
	         strncmp(path, "lang.", 5) == 0)
		snprintf(buf, len, "plugins");
	else if (strncmp(path, "metrics.", 8) == 0)
		snprintf(buf, len, "http");
	else
		snprintf(buf, len, "%.*s", (int)(dot - path), path);
}

/* One entry as a format prints it: the group of its full name (NULL for
 * the core's), its index and entry, its default as the documentation
 * shows it (NULL: none) and its range ("" when none). */
struct st_row {
	const char *group;
	size_t i;
	const struct ac_setting *e;
	const char *def;
	const char *range;
};

typedef void (*st_row_fn)(FILE *f, const struct st_row *r, void *state);

/* Every entry of table through the format's row (man: the defaults as
 * the man page names the installation paths); none is printed for an
 * empty table. */
static void st_print_rows(FILE *f, const char *group,
                          const struct ac_setting *table, bool man,
                          st_row_fn row, void *state, const char *none)
{
	char def[512], range[64];

	for (size_t i = 0; table[i].name; i++) {
		const struct ac_setting *e = &table[i];
		struct st_row r = {group, i, e, NULL, range};

		if (e->def) {
			st_doc_default(e->def, man, def, sizeof(def));
			r.def = def;
		}
		st_range(e, range, sizeof(range));
		row(f, &r, state);
	}
	if (!table[0].name && none)
		fputs(none, f);
}

#define ST_MD_HEAD                                                             \
	"| setting | type | default | range | meaning "                        \
	"|\n|---|---|---|---|---|\n"
#define ST_NONE "This plugin has no settings.\n"

/* state: the current section (char[64]) of the core's table. */
static void st_md_row(FILE *f, const struct st_row *r, void *state)
{
	char *sec = state, cur[64];
	const struct ac_setting *e = r->e;

	if (!r->group) {
		st_section(e->name, cur, sizeof(cur));
		if (strcmp(cur, sec) != 0) {
			fprintf(f, "%s#### Core: %s\n\n", sec[0] ? "\n" : "",
			        cur);
			snprintf(sec, 64, "%s", cur);
			fputs(ST_MD_HEAD, f);
		}
	} else if (r->i == 0) {
		fputs(ST_MD_HEAD, f);
	}
	fprintf(f, "| `%s%s%s` | %s | %s%s%s | %s | %s |\n",
	        r->group ? r->group : "", r->group ? "." : "", e->name,
	        st_type_text(e->type, true), r->def ? "`" : "",
	        r->def ? r->def : "—", r->def ? "`" : "", r->range, e->help);
}

static void st_man_row(FILE *f, const struct st_row *r, void *state)
{
	(void)state;
	fputs(".TP\n.B ", f);
	if (r->group)
		fprintf(f, "%s.", r->group);
	st_man_text(f, r->e->name);
	fprintf(f, "\n(%s", st_type_text(r->e->type, true));
	if (r->def) {
		fputs(", default ", f);
		st_man_text(f, r->def);
	}
	if (r->range[0])
		fprintf(f, ", %s", r->range);
	fputs(")\n", f);
	st_man_text(f, r->e->help);
	fputc('\n', f);
}

/* state: the indentation; a value as the configuration writes it. */
static void st_conf_row(FILE *f, const struct st_row *r, void *state)
{
	const char *ind = state;
	const struct ac_setting *e = r->e;
	const char *q =
	        e->type == AC_SETTING_STRING || e->type == AC_SETTING_LIST
	                ? "\""
	                : "";

	fprintf(f, "%s# %s (%s%s%s)\n", ind, e->help,
	        st_type_text(e->type, true), r->range[0] ? ", " : "", r->range);
	if (r->def)
		fprintf(f, "%s# %s = %s%s%s;\n", ind, e->name, q, r->def, q);
	else
		fprintf(f, "%s# %s = ...;  (no default)\n", ind, e->name);
}

static void st_print_md(FILE *f, const char *what, const char *group,
                        const char *description, const struct ac_setting *table)
{
	char sec[64] = "";

	if (group)
		fprintf(f, "#### `%s`: %s\n\n", what,
		        description ? description : "");
	st_print_rows(f, group, table, false, st_md_row, sec, ST_NONE);
}

static void st_print_conf(FILE *f, const char *what, const char *description,
                          const struct ac_setting *table)
{
	char group[128];
	bool lang = strncmp(what, "lang/", 5) == 0;

	st_plugin_group_of(what, group, sizeof(group));
	fprintf(f,
	        "# %s: %s.\n"
	        "# Its settings, each with its default, commented out: copy "
	        "this file\n"
	        "# into the include_dir of a configuration and uncomment what "
	        "you change.\n"
	        "# Generated by `algocode settings --format conf %s`.\n",
	        what, description ? description : "", what);
	if (lang)
		fprintf(f,
		        "# Also name it in lang.plugins.\nlang = {\n  %s = {\n",
		        group + 5);
	else
		fprintf(f, "%s = {\n  plugin = \"%s\";\n", group,
		        strchr(what, '/') + 1);
	st_print_rows(f, NULL, table, false, st_conf_row,
	              (void *)(lang ? "    " : "  "), NULL);
	fprintf(f, "%s};\n", lang ? "  };\n" : "");
}

int ac_settings_print(FILE *f, const char *format, const char *what,
                      const char *description, const struct ac_setting *table)
{
	char group[128];
	bool core = strcmp(what, "core") == 0;

	st_plugin_group_of(what, group, sizeof(group));
	if (strcmp(format, "markdown") == 0)
		st_print_md(f, what, core ? NULL : group, description, table);
	else if (strcmp(format, "man") == 0)
		st_print_rows(f, core ? NULL : group, table, true, st_man_row,
		              NULL, ST_NONE);
	else if (strcmp(format, "conf") == 0 && !core)
		st_print_conf(f, what, description, table);
	else
		return -EINVAL;
	return 0;
}
