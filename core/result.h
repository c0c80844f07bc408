/* The result document (design.md) and its JSON form. */
#ifndef AC_RESULT_H
#define AC_RESULT_H
#include "verdict.h"
#include <stdbool.h>
#include <stdint.h>

struct ac_test_result {
	char *name;
	enum ac_verdict verdict;
	uint64_t time_ms;
	uint64_t wall_ms;
	uint64_t memory_kb;
	int exit_code;
	int signal;
	char *message;  /* may be NULL */
	bool has_score; /* the validator gave a score (scoring problems) */
	double score;
};

/* A test group's grade (scoring problems, docs/verdicts.md "Scores"). */
struct ac_group_result {
	char *name; /* "secret/g1"; "" is data/, the whole submission */
	enum ac_verdict verdict;
	double score;
};

/* The host's load when the run limits were set, reported as the judge
 * block's "load" (docs/verdicts.md, "Wall-clock limit"). */
struct ac_judge_load {
	bool known;          /* sampled (false: no test was run) */
	unsigned cpus;       /* CPUs the judge may run on */
	double loadavg;      /* /proc/loadavg, 1 minute */
	unsigned runnable;   /* tasks runnable right then, the judge aside */
	double cpu_pressure; /* /proc/pressure/cpu "some" avg10, %; <0: none */
	double wall_factor;  /* wall limit = CPU limit x wall_factor + 1 s */
	bool overloaded;     /* more runnable tasks than CPUs, or pressure */
	unsigned tle_reruns; /* TLE tests judged a second time */
};

struct ac_result {
	char *submission_id, *problem_id, *lang, *user_id;
	enum ac_verdict verdict;
	uint64_t time_ms, memory_kb; /* max over tests */
	bool compile_ok;
	char *compile_log;
	uint64_t compile_time_ms;
	struct ac_test_result *tests;
	size_t ntests;
	char *host, *sandbox, *lang_version;
	struct ac_judge_load load;
	int64_t submitted_at, finished_at; /* unix ms */
	/* Scoring problems only (scored): the total and every graded group,
	 * parents before their children. */
	bool scored;
	double score;
	enum ac_verdict score_verdict; /* the grader's verdict of data/ */
	struct ac_group_result *groups;
	size_t ngroups;
};

/* Append a test result (copies strings). */
int ac_result_add_test(struct ac_result *r, const struct ac_test_result *t);
/* Append a group's grade (copies the name). */
int ac_result_add_group(struct ac_result *r, const char *name,
                        enum ac_verdict v, double score);
/* malloc'ed JSON text of the result document. */
char *ac_result_to_json(const struct ac_result *r);
void ac_result_clear(struct ac_result *r);
struct json_t;
/* A new JSON string of s, with what is not valid UTF-8 replaced by '?'
 * (JSON null for NULL). */
struct json_t *ac_json_text(const char *s);
/* "2026-11-25T22:31:39.123Z" */
void ac_format_time(int64_t unix_ms, char *buf, size_t len);
int64_t ac_now_ms(void);
#endif
