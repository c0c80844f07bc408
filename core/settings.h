/* Declared settings: the core's own table, the checker of a configuration
 * against it and against the plugins' tables (struct ac_setting,
 * algocode/plugin.h), typed readers that take the table's default, and
 * the printer of the tables (docs/configuration.md, algocode.conf(5),
 * conf.d/examples/).
 *
 * The checker reports every setting a configuration holds (from a file or
 * `-o`) that is unknown, of the wrong type or out of range, as
 * "ORIGIN: PATH: REASON" where ORIGIN is "file:line" or "-o a.b=c". */
#ifndef AC_SETTINGS_H
#define AC_SETTINGS_H
#include <algocode/plugin.h>
#include <stdio.h>

struct ac_config;

/* The core's settings, by dotted path, NULL-name terminated. */
extern const struct ac_setting ac_core_settings[];

/* Receives one error ("ORIGIN: PATH: REASON"). */
typedef void (*ac_settings_cb)(void *arg, const char *msg);

/* A callback for the checks of a start-up: the first error goes to err,
 * the others to the log before it; n counts them. */
struct ac_settings_errs {
	char *err;
	size_t errlen;
	unsigned n;
};
void ac_settings_errs_cb(void *arg, const char *msg);

/* Check everything outside the plugins' groups, and the core's keys
 * inside them (store.plugin, sandbox.allow_degraded, lang.plugins).
 * The plugins' groups are `transport`, `store`, `sandbox` and `lang.NAME`
 * (see ac_settings_unused_langs).  Returns the number of errors. */
unsigned ac_settings_check_core(const struct ac_config *cfg, ac_settings_cb cb,
                                void *arg);
/* For every lang.NAME group whose NAME is not in lang.plugins (a
 * language configured but not loaded, or a typo): fn(arg, NAME, ORIGIN).
 * The caller decides: an error when no plugin NAME is installed. */
void ac_settings_unused_langs(const struct ac_config *cfg,
                              void (*fn)(void *arg, const char *name,
                                         const char *origin),
                              void *arg);
/* Check the group of one plugin (`store`, `lang.cpp`) against its table;
 * `owner` names it in messages ("lang/cpp").  Keys the core declares in
 * that group are left to ac_settings_check_core.  Returns the number of
 * errors. */
unsigned ac_settings_check_group(const struct ac_config *cfg, const char *group,
                                 const char *owner,
                                 const struct ac_setting *table,
                                 ac_settings_cb cb, void *arg);

/* The entry of key in table; NULL when not declared (table may be NULL). */
const struct ac_setting *ac_settings_find(const struct ac_setting *table,
                                          const char *key);

/* Readers of the core's settings: the value, checked against the core's
 * table, or the table's default when unset.  -ENOENT when unset without a
 * default; -EINVAL with "ORIGIN: PATH: REASON" in err. */
int ac_settings_int(const struct ac_config *cfg, const char *path,
                    long long *out, char *err, size_t errlen);
int ac_settings_float(const struct ac_config *cfg, const char *path,
                      double *out, char *err, size_t errlen);

/* One setting a role reads at start: the integer goes to *i, or (i NULL)
 * the number to *d. */
struct ac_settings_want {
	const char *path;
	long long *i;
	double *d;
};
/* Read want[0..n) in order with ac_settings_int/_float; one unset without
 * a default leaves its variable as the caller set it.  0, or the first
 * error (-EINVAL, message in err). */
int ac_settings_read(const struct ac_config *cfg,
                     const struct ac_settings_want *want, size_t n, char *err,
                     size_t errlen);

/* Print a table: format "markdown", "man" or "conf" (a commented sample
 * fragment).  what is "core" (table: ac_core_settings) or "KIND/NAME"
 * with the plugin's description and table.  0, or -EINVAL for an unknown
 * format. */
int ac_settings_print(FILE *f, const char *format, const char *what,
                      const char *description, const struct ac_setting *table);
#endif
