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

/* The protocol a custom validator speaks (problem.yaml
 * `validator_protocol`, docs/problem-format.md). */
enum ac_validator_protocol {
	AC_PROTO_KATTIS = 0, /* exit 42 accepted, 43 wrong answer */
	AC_PROTO_TESTLIB,    /* exit 0 ok, 1 wa, 2 pe, 3 fail, 7 points */
};

#define AC_PROBLEM_PASSES_DEFAULT 2u
#define AC_PROBLEM_PASSES_MAX     100u

/* The problem's type (2023-07 `type:`, legacy `type:` and `validation:`),
 * a bit set; 0 is pass-fail. */
enum {
	AC_PROBLEM_SCORING = 1,
	AC_PROBLEM_INTERACTIVE = 2,
	AC_PROBLEM_MULTIPASS = 4,
	AC_PROBLEM_SUBMIT_ANSWER = 8,
};

/* problem_format_version */
enum ac_problem_format {
	AC_FORMAT_LEGACY = 0, /* absent, "legacy" or "legacy-icpc" */
	AC_FORMAT_2023_07,    /* "2023-07" or "2023-07-draft" */
};

struct ac_test {
	char *name;     /* "sample/1", "secret/07-big" (group/basename) */
	char *in_path;  /* absolute */
	char *ans_path; /* absolute */
	bool sample;
	size_t group; /* index in ac_problem.groups of its directory */
};

/* How a test group's results make its own (testdata.yaml, inherited from
 * the directories above; docs/problem-format.md "Scoring"). */
enum ac_grade_verdict {
	AC_GRADE_FIRST_ERROR = 0, /* the default */
	AC_GRADE_WORST_ERROR,
	AC_GRADE_ACCEPT_IF_ANY,
	AC_GRADE_ALWAYS_ACCEPT,
};
enum ac_grade_score {
	AC_GRADE_SUM = 0, /* the default */
	AC_GRADE_AVG,
	AC_GRADE_MIN,
	AC_GRADE_MAX,
};
struct ac_grading {
	bool on_reject_continue; /* on_reject: continue (default break) */
	bool ignore_sample;      /* grader_flags ignore_sample */
	enum ac_grade_verdict verdict;
	enum ac_grade_score score;
	double accept_score;         /* default 1 */
	double reject_score;         /* default 0 */
	double range_min, range_max; /* default -inf, +inf */
};

/* A directory of data/ ("data", "data/secret", "data/secret/g1"). */
struct ac_test_group {
	char *name;    /* "" for data/, "secret", "secret/g1" */
	size_t parent; /* index of the parent group; 0 (itself) for data/ */
	struct ac_grading grading;
};

struct ac_problem {
	char *id;   /* directory name */
	char *uuid; /* NULL when problem.yaml has none */
	char *dir;  /* absolute path of the package */
	char *name; /* title; the id when problem.yaml has no name */
	double time_limit_s;
	uint64_t memory_mb;
	uint64_t output_mb;
	enum ac_problem_format format;
	unsigned type_flags;   /* AC_PROBLEM_* */
	bool time_limit_given; /* limits.time_limit or .timelimit */
	/* --fix-time-limit: 2023-07 ac_to_time_limit, time_limit_to_tle,
	 * time_resolution; legacy time_multiplier and time_safety_margin
	 * (the limit is then rounded up to whole seconds). */
	double ac_to_time_limit, time_limit_to_tle, time_resolution;
	uint64_t code_kb;           /* limits.code; 0: none */
	uint64_t compile_time_s;    /* limits.compilation_time; 0: the lang's */
	uint64_t compile_memory_mb; /* limits.compilation_memory; 0: lang's */
	uint64_t validation_time_s; /* limits.validation_*; 0: the judge's */
	uint64_t validation_memory_mb;
	uint64_t validation_output_mb;
	uint64_t validation_passes; /* multi-pass; default 2 */
	bool validator_score;       /* the validator writes score.txt */
	char **languages;           /* `languages:`; NULL: all */
	size_t nlanguages;
	char *meta_json; /* {"names":..,"credits":..,...}: served as is */
	struct ac_test_group *groups; /* [0] is data/ */
	size_t ngroups;
	enum ac_validation_kind validation;
	struct ac_validator_flags flags;
	enum ac_validator_protocol validator_protocol;
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
/* Whether the package's `languages:` lets lang (a plugin's name) submit. */
bool ac_problem_allows_lang(const struct ac_problem *p, const char *lang);

/* `problem verify` (core/problem_tools.c). */
/* The score a labelled submission's source announces with
 * "@EXPECTED_SCORE@: N": 1 with *score, 0 without, -EINVAL when
 * unreadable. */
int ac_expected_score(const char *code, size_t len, double *score);
/* The score submissions/submissions.yaml (2023-07) gives the labelled
 * submission rel ("wrong_answer/x.cpp"): the last `score:` of a glob
 * pattern matching it or a directory above it, as [*lo, *hi] (equal for
 * a single number).  1 found, 0 none, negative errno when unreadable. */
int ac_submission_expected_score(const struct ac_problem *p, const char *rel,
                                 double *lo, double *hi);
/* The time limit the specification derives from the slowest accepted
 * run: slowest x ac_to_time_limit (legacy time_multiplier), rounded up to
 * a multiple of time_resolution (legacy: whole seconds). */
double ac_time_limit_from(const struct ac_problem *p, double slowest_s);
/* Write tl into the package: limits.time_limit of problem.yaml (a block
 * style limits: is edited, or added), or .timelimit when a legacy package
 * keeps it there. */
int ac_problem_write_time_limit(const struct ac_problem *p, double tl,
                                char *err, size_t errlen);

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
