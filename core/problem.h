/* Problem packages (ICPC/Kattis problem package format, design.md subset). */
#ifndef AC_PROBLEM_H
#define AC_PROBLEM_H
#include "validator.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ac_validation_kind {
	AC_VALIDATION_DEFAULT = 0,
	AC_VALIDATION_CUSTOM,
	AC_VALIDATION_CUSTOM_INTERACTIVE, /* custom, and the problem is
	                                   * interactive (type_flags) */
};

/* The problem type as a bit set (legacy `validation:`, 2023-07 `type:`). */
enum {
	AC_PROBLEM_SCORING = 1,
	AC_PROBLEM_INTERACTIVE = 2,
	AC_PROBLEM_MULTIPASS = 4,
	AC_PROBLEM_SUBMIT_ANSWER = 8,
};

/* The protocol a custom validator speaks (problem.yaml
 * `validator_protocol`, docs/problem-format.md). */
enum ac_validator_protocol {
	AC_PROTO_KATTIS = 0, /* exit 42 accepted, 43 wrong answer */
	AC_PROTO_TESTLIB,    /* exit 0 ok, 1 wa, 2 pe, 3 fail, 7 points */
};

#define AC_PROBLEM_PASSES_DEFAULT 2u
#define AC_PROBLEM_PASSES_MAX     100u

struct ac_test {
	char *name;     /* "sample/1", "secret/07-big" (group/basename) */
	char *in_path;  /* absolute */
	char *ans_path; /* absolute */
	bool sample;
};

struct ac_problem {
	char *id;   /* directory name */
	char *uuid; /* NULL when problem.yaml has none */
	char *dir;  /* absolute path of the package */
	char *name; /* title; the id when problem.yaml has no name */
	double time_limit_s;
	uint64_t memory_mb;
	uint64_t output_mb;
	enum ac_validation_kind validation;
	struct ac_validator_flags flags;
	unsigned type_flags; /* AC_PROBLEM_* */
	enum ac_validator_protocol validator_protocol;
	unsigned validation_passes; /* limits.validation_passes (multi-pass) */
	char *validator_dir; /* output_validators/NAME (absolute), or NULL */
	/* Input validators (absolute directories, each a program): every
	 * directory of input_validators/ (or input_validators/ itself when
	 * it holds files), or the 2023 layout's input_validator/.  Used by
	 * `algocode problem verify`, not by judging. */
	char **input_validators;
	size_t ninput_validators;
	struct ac_test *tests; /* samples then secret, each in name order */
	size_t ntests;
	size_t nsamples;
	char *statement;  /* markdown, "" when absent */
	char *difficulty; /* NULL when absent */
	char **tags;
	size_t ntags;
	char hash[65]; /* sha256 hex of problem.yaml, tests and validator files
	                */
};

/* Load one package.  On error returns a negative errno and writes a
 * message naming the offending file into err. */
int ac_problem_load(const char *dir, struct ac_problem **out, char *err,
                    size_t errlen);
void ac_problem_free(struct ac_problem *p);

/* All packages below a directory, sorted by id.  Broken packages are
 * logged (with the file) and skipped; *nerrors counts them. */
struct ac_problem_set {
	struct ac_problem **items;
	size_t n;
};
int ac_problem_set_load(const char *dir, struct ac_problem_set **out,
                        size_t *nerrors, char *err, size_t errlen);
void ac_problem_set_free(struct ac_problem_set *set);
/* By directory name or uuid; NULL when unknown. */
const struct ac_problem *ac_problem_find(const struct ac_problem_set *set,
                                         const char *id_or_uuid);
#endif
