/* Internal to the package loader (core/problem*.c): the state of one
 * load and the helpers the loader's files share. */
#ifndef AC_PROBLEM_INT_H
#define AC_PROBLEM_INT_H
#include "problem.h"

#include <stdbool.h>
#include <sys/stat.h>
#include <yaml.h>

struct json_t;

#define PB_YAML_MAX      (1u << 20) /* problem.yaml */
#define PB_STATEMENT_MAX (4u << 20) /* the statement */
#define PB_TIMELIMIT_MAX 64         /* .timelimit */
#define PB_DIR_MAX       100000     /* entries in one directory */
#define PB_TESTS_MAX     10000      /* tests in one package */
#define PB_TAGS_MAX      64
#define PB_DEPTH_MAX     4 /* nested test groups / validator subdirectories */
#define PB_TIME_MAX      3600.0     /* seconds */
#define PB_MEMORY_MAX    (1u << 20) /* MiB (1 TiB) */

#define PB_DEFAULT_TIME   1.0
#define PB_DEFAULT_MEMORY 256
#define PB_DEFAULT_OUTPUT 64

/* The state of one load. */
struct pb {
	char *root; /* realpath of the package */
	size_t rootlen;
	char *err;
	size_t errlen;
	struct ac_problem *p;
	size_t tests_cap;
	char *flags; /* validator_flags as written, until validation is known */
	int has_time;         /* limits.time_limit was given */
	int validation_given; /* legacy validation: was given */
	struct json_t *meta;  /* what becomes p->meta_json */
	size_t cur_group;     /* of the directory being read */
	char *ovflags;        /* output_validator_flags (testdata.yaml) */
	size_t groups_cap;
};

/* "<root>/<rel>: <message>" into b->err. */
void pb_err(struct pb *b, const char *rel, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* "a/b", malloc'ed; NULL when out of memory. */
char *pb_join(const char *a, const char *b);
/* Resolve rel (relative to the package) to an absolute path inside the
 * package: 0 with *abs (malloc'ed) and *st, -ENOENT when it does not
 * exist (no message), another negative errno with a message. */
int pb_resolve(struct pb *b, const char *rel, char **abs, struct stat *st);
/* Like pb_resolve, and the result must be a regular file. */
int pb_file(struct pb *b, const char *rel, char **abs, struct stat *st);
/* A whole regular file of at most max bytes, NUL-terminated. */
int pb_read(struct pb *b, const char *rel, size_t max, char **data,
            size_t *len);
void pb_names_free(char **names, size_t n);
/* The entries of a directory without "." names, in strcmp order; b may
 * be NULL (no message). */
int pb_list(struct pb *b, const char *abs, const char *rel, char ***out,
            size_t *nout);

/* The YAML file rel (at most max bytes) parsed into *doc (delete it with
 * yaml_document_delete): 0, -ENOENT when absent (no message), another
 * negative errno with a message ("line N: YAML error: PROBLEM", and the
 * parser's CONTEXT after it when context is true). */
int pb_yaml_file(struct pb *b, const char *rel, size_t max, bool context,
                 yaml_document_t *doc);
/* problem.yaml (core/problem_yaml.c): every key of both versions. */
int pb_yaml(struct pb *b);
/* .timelimit, when problem.yaml gave no time limit. */
int pb_timelimit(struct pb *b);
/* A test group for data/<name> below parent, with the grading of its
 * testdata.yaml (inherited from the parent); b->cur_group becomes it
 * (core/problem_data.c). */
int pb_add_group(struct pb *b, const char *name, size_t parent);
/* The group data/ itself (index 0), before the others. */
int pb_root_group(struct pb *b);
#endif
