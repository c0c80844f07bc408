/* Configuration: libconfig files, an include directory of *.conf fragments
 * read in sorted order, and `-o path=value` overrides on top.
 *
 * Later sources override earlier ones setting by setting (groups merge).
 * An override value is parsed as a libconfig value when it is one
 * (42, 1.5, true, "quoted", [..]); a bare word is a string. */
#ifndef AC_CONFIG_H
#define AC_CONFIG_H
#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>

struct ac_config;

/* Load `path`, then the directory named by its `include_dir` setting (relative
 * to the file's directory), then the overrides "a.b=value".  On failure
 * returns a negative errno and writes "file:line: message" into err. */
int ac_config_load(const char *path, const char *const *overrides,
                   size_t noverrides, struct ac_config **out, char *err,
                   size_t errlen);
/* Same, from a string (for tests); `name` is used in messages. */
int ac_config_load_string(const char *name, const char *text,
                          const char *const *overrides, size_t noverrides,
                          struct ac_config **out, char *err, size_t errlen);
void ac_config_free(struct ac_config *cfg);
/* Apply one more "a.b=value" override after loading, as -o does (the
 * core's own adjustments at start-up, e.g. core/delegate.c). */
int ac_config_override(struct ac_config *cfg, const char *ov, char *err,
                       size_t errlen);

/* Lookups by dotted path.  Returned strings belong to the config. */
const char *ac_config_string(const struct ac_config *cfg, const char *path,
                             const char *def);
long long ac_config_int(const struct ac_config *cfg, const char *path,
                        long long def);
double ac_config_float(const struct ac_config *cfg, const char *path,
                       double def);
bool ac_config_bool(const struct ac_config *cfg, const char *path, bool def);
/* 0, -ENOENT when missing, -EINVAL on a wrong type (message in err,
 * naming file and line). */
int ac_config_get_string(const struct ac_config *cfg, const char *path,
                         const char **out, char *err, size_t errlen);
int ac_config_get_int(const struct ac_config *cfg, const char *path,
                      long long *out, char *err, size_t errlen);
int ac_config_get_bool(const struct ac_config *cfg, const char *path, bool *out,
                       char *err, size_t errlen);
/* A number: an integer, a float, or a string that is one ("1.5"). */
int ac_config_get_float(const struct ac_config *cfg, const char *path,
                        double *out, char *err, size_t errlen);
/* A libconfig type (CONFIG_TYPE_INT...) as the messages name it: "an
 * integer", "a number", "a list"... */
const char *ac_config_type_name(int t);
/* NULL-terminated list of strings at path (array or single string); caller
 * frees the array (not the strings).  NULL when missing. */
const char **ac_config_string_list(const struct ac_config *cfg,
                                   const char *path);
/* The tree, for the settings checker (core/settings.c): the root group,
 * a setting by dotted path (NULL when missing), and where a setting came
 * from ("file:line" or "-o a.b=c") and its dotted path. */
const config_setting_t *ac_config_root(const struct ac_config *cfg);
const config_setting_t *ac_config_lookup(const struct ac_config *cfg,
                                         const char *path);
void ac_config_origin(const struct ac_config *cfg, const config_setting_t *s,
                      char *buf, size_t len);
void ac_config_path(const config_setting_t *s, char *buf, size_t len);
#endif
