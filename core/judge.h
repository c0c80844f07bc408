/* The judging pipeline: compile in the sandbox, run every test, validate,
 * decide.  Blocking: runs on worker threads, never on the loop. */
#ifndef AC_JUDGE_H
#define AC_JUDGE_H
#include "problem.h"
#include "result.h"
#include <algocode/plugin.h>
#include <pthread.h>
#include <stdbool.h>

struct ac_loaded;

struct ac_judge_ctx {
	const struct ac_sandbox_ops *sb;
	void *sb_state;
	const char *sandbox_name;
	char *work_dir; /* owned; boxes and the validator cache live below */
	char *host;     /* owned */
	pthread_mutex_t lock; /* guards the validator build cache */
	/* Compile cache under <work_dir>/cache: at most this many KiB (the
	 * oldest entries are evicted); 0 disables it.  Default 256 MiB. */
	uint64_t compile_cache_kb;
	/* Show what the validator said (expected and actual output) and the
	 * program's own error line for tests that are not samples too.
	 * Default: judge.reveal_secret_details (false): only samples show
	 * it; the log has it for every test (docs/security.md). */
	bool reveal_secret_details;
	/* The language plugins (the core's, in configuration order): custom
	 * validators are compiled and run through them.  NULL/0: problems
	 * with a custom validator are judged IE. */
	struct ac_loaded *const *langs;
	size_t nlangs;
};

typedef void (*ac_progress_cb)(void *arg, const struct ac_test_result *t,
                               size_t index, size_t total);

/* What is judged and whose it is: the same for a submission's job and a
 * run's.  Borrowed, like the rest of a job: the caller keeps it alive for
 * the call. */
struct ac_job_source {
	const struct ac_lang_info *lang;
	/* The language plugin's ops and state (classify, run_argv); may be
	 * NULL: then neither is used. */
	const struct ac_lang_ops *lang_ops;
	void *lang_state;
	const char *code;
	size_t code_len;
	const char *id; /* the submission's or the run's */
	const char *user_id;
	int64_t submitted_at; /* unix ms, 0 unknown */
};

struct ac_judge_job {
	const struct ac_problem *problem;
	struct ac_job_source src;
	bool all_tests;          /* run every test even after a failure */
	ac_progress_cb progress; /* called after each test (worker thread) */
	void *progress_arg;
};

/* A run with custom input (POST /api/v1/code/run/, `algocode run`): no
 * problem, no checking.  The program is compiled as for a submission
 * (compile cache included) and run once per input with these limits. */
struct ac_run_job {
	struct ac_job_source src;  /* src.id: the run id */
	const char *const *inputs; /* ninputs inputs, input_lens bytes each */
	const size_t *input_lens;
	size_t ninputs;
	uint64_t time_limit_ms; /* CPU, before the language's multiplier */
	uint64_t memory_mb;
	uint64_t output_mb; /* stdout over it: OLE */
	uint64_t stdout_kb; /* kept in the document (truncated flag) */
	uint64_t stderr_kb; /* head kept in the document */
};

/* The run document (docs/api.md, "Run with custom input"), malloc'ed JSON
 * text in *doc.  0 whenever a document was made (CE and IE included). */
int ac_judge_run(struct ac_judge_ctx *ctx, const struct ac_run_job *job,
                 char **doc);

/* The default of reveal_secret_details for contexts made from now on
 * (judge.reveal_secret_details, set by ac_core_init before any thread
 * exists, like the log level). */
void ac_judge_set_reveal_default(bool reveal);
int ac_judge_ctx_init(struct ac_judge_ctx *ctx, const struct ac_sandbox_ops *sb,
                      void *sb_state, const char *sandbox_name,
                      const char *work_dir, const char *host);
void ac_judge_ctx_fini(struct ac_judge_ctx *ctx);
/* judge.compile_cache_mb (negative: 0, i.e. off) in KiB. */
uint64_t ac_judge_cache_kb(long long mb);
/* Fill *out (ac_result_clear it afterwards).  Returns 0 whenever a verdict
 * (including IE) was reached; negative errno only for bad arguments. */
int ac_judge(struct ac_judge_ctx *ctx, const struct ac_judge_job *job,
             struct ac_result *out);

/* Outcome of an input validator (ac_judge_check_inputs): test NULL for
 * the validator as a whole (ok 1: msg sums up; ok < 0: it cannot be
 * built); else a test it did not accept (ok 0: invalid, < 0: it failed). */
typedef void (*ac_input_report_cb)(void *arg, const char *validator,
                                   const char *test, int ok, const char *msg);
/* Run the problem's input validators (problem->input_validators, built
 * through the language plugins like output validators) on every test's
 * input: `validator < input`, exit 42 valid, 43 invalid.  Returns how
 * many inputs (or validators) failed, negative errno when it could not
 * start. */
int ac_judge_check_inputs(struct ac_judge_ctx *ctx,
                          const struct ac_problem *problem,
                          ac_input_report_cb cb, void *arg);
#endif
