/* What the judging pipeline's files share (core/judge.c, the pipeline;
 * judge_cache.c, judge_files.c, judge_test.c, judge_run.c, its steps by
 * concern; core/judge_val.c, custom validators, interactive and
 * multi-pass runs).  Internal to the core. */
#ifndef AC_JUDGE_INT_H
#define AC_JUDGE_INT_H
#include "judge.h"
#include "verdict.h"

#include <sodium.h>
#include <sys/types.h>

struct judge_budget {
	uint64_t bytes;  /* left */
	unsigned files;  /* left */
	int depth_max;   /* levels below the top */
	const char *why; /* set when the budget stopped a copy */
};

/* Remove a tree (as root through the helper under privilege separation). */
int judge_remove(struct ac_judge_ctx *ctx, const char *path);
/* The first max bytes of a file (relative to dirfd, or -1), NUL-ended;
 * NULL when it cannot be read. */
char *judge_read_head(const char *path, size_t max, int dirfd);
/* skip: names (NULL-terminated) left out at the top level; may be NULL */
int judge_copy_tree(const char *src, const char *dst, char **skip, int depth,
                    struct judge_budget *b);

/* A custom validator (output validator, testlib checker or interactor)
 * built once per problem version through its language's plugin. */
struct judge_val {
	const struct ac_lang_info *lang;
	const struct ac_lang_ops *ops;
	void *state;
	char *build;  /* host directory: what its compile left */
	char **argv;  /* from the plugin's run_argv (one block), or NULL */
	int protocol; /* AC_VPROTO_* */
	struct ac_limits lim; /* of each of its runs */
};

/* Find the validator's language (by its files' extensions), compile it
 * once per problem content hash (validators/<hash>/), fill *v.  -errno
 * with err on failure (the verdict is then Internal Error). */
int judge_val_build(struct ac_judge_ctx *ctx, const struct ac_problem *p,
                    struct judge_val *v, char *err, size_t errlen);
void judge_val_free(struct judge_val *v);

/* One test of a batch problem: the validator judges the team output
 * (Kattis: `validator input answer feedback/ < output`; testlib:
 * `checker input output answer`).  msg gets its message; *score (may be
 * NULL) a testlib checker's points (exit 7: the number its message starts
 * with, NAN when there is none), else it is left alone. */
enum ac_validation judge_val_check(struct ac_judge_ctx *ctx,
                                   const struct judge_val *v,
                                   const char *run_dir, const struct ac_test *t,
                                   const char *team_out, char *msg,
                                   size_t msglen, double *score);

/* The submission's side of an interactive or multi-pass run. */
struct judge_sub {
	const struct ac_run_spec *spec; /* argv, envp, box, limits, profile;
	                                   stdout/stderr paths */
	/* Make the box fresh before each pass (multi-pass); may be NULL. */
	int (*reset)(void *arg);
	void *arg;
};

/* The outcome of an interactive or multi-pass test. */
struct judge_inter {
	struct ac_run_report rep; /* the submission's (the failing pass's) */
	enum ac_validation val;
	bool validator_first; /* the validator ended before the submission */
	unsigned passes;      /* passes run */
	char msg[1024];       /* the validator's message (and transcript) */
};

/* Run one interactive test (type interactive, with or without
 * multi-pass) or one multi-pass test: each pass the submission and the
 * validator run side by side (interactive) or one after the other. */
int judge_val_interact(struct ac_judge_ctx *ctx, const struct judge_val *v,
                       const struct ac_problem *p, const char *run_dir,
                       const struct ac_test *t, const struct judge_sub *sub,
                       struct judge_inter *out);

/* What judge_val.c lends judge_inter.c: a validator's argv (its command,
 * then args), its box for one test (run-XXXXXX/vbox/) and the outcome of
 * its run. */
#define JV_ARGS_MAX           64
#define JV_STDOUT_UNCAPPED_KB (1ull << 30) /* 1 TiB: no output limit */
void judge_val_argv(const struct judge_val *v, const char *const *args,
                    const char **argv);
int judge_val_box(struct ac_judge_ctx *ctx, const struct judge_val *v,
                  const char *run_dir, const struct ac_test *t,
                  const char *team_out, char *vbox, size_t len, char *msg,
                  size_t msglen);
enum ac_validation judge_val_outcome(const struct judge_val *v,
                                     const char *vbox, const char *errp, int rc,
                                     struct ac_run_report *rep, char *msg,
                                     size_t msglen, double *score);

/* Limits of the pipeline. */
#define JUDGE_LOG_MAX           (16u * 1024) /* compile log kept in the result */
#define JUDGE_MSG_MAX           1024u        /* a test's message */
#define JUDGE_VALIDATOR_TIME_MS 30000u       /* a validator's own limits */
#define JUDGE_VALIDATOR_MEM_KB  (1024u * 1024)
#define JUDGE_CACHE_ENTRY_MAX   (64ull * 1024 * 1024) /* bytes, one entry */
#define JUDGE_CACHE_FILES_MAX   4096u /* files and directories, one entry */
/* What a build (what the compiler left in the box) may hold: the judge
 * keeps a copy and makes every test's box from it.  Bytes: the larger of
 * the problem's memory limit and the largest file the compiler may write
 * (the language's compile fsize limit).  Over any of these the verdict
 * is Compilation Error naming the limit (docs/verdicts.md). */
#define JUDGE_BUILD_FILES_MAX 65536u       /* files and directories */
#define JUDGE_BUILD_DEPTH_MAX 64           /* directory levels below the box */
#define JUDGE_STDERR_HEAD     (16u * 1024) /* what classify() sees */

/* One judgement, from the job to the result document: the state its steps
 * share (ac_judge below lists the steps).  A step that fails has put the
 * verdict and its message in `out` and returns -1: the judgement stops. */
struct judge_run {
	struct ac_judge_ctx *ctx;
	const struct ac_judge_job *job;
	const struct ac_problem *p;
	const struct ac_lang_info *lang;
	struct ac_result *out;
	/* The run directory (locked by lockfd while it is used), its box
	 * (bound at /box), out/ (outside every box) and the build kept for
	 * every test (pristine/). */
	char tmpl[4096], box[4200], outd[4200], pristine[4300];
	int lockfd;
	char key[2 * crypto_hash_sha256_BYTES + 1]; /* compile cache; "" */
	struct judge_budget build;                  /* what a build may hold */
	uint64_t build_used;                        /* bytes of this build */
	struct judge_val val; /* the custom validator (val.build NULL: none) */
	struct ac_limits lim; /* of every test run */
	char **run_argv;      /* NULL: lang->run_argv */
	uint64_t box_kb;      /* size of a test's box */
	bool failed;          /* a test failed */
	/* The source files written in the box (NULL-terminated; the compile
	 * cache leaves them out), and for several files the compile command
	 * naming them (NULL: lang->compile_argv). */
	char **srcs;
	char **cargv;
	char **cstr; /* strings of cargv the judge made */
};

/* One test's run and what its output is worth.  Files: out/<i>.out and
 * .err. */
struct judge_test {
	const struct ac_test *t;
	size_t i;
	char outp[4400], errp[4400];
	struct ac_run_report rep;
	enum ac_validation val;
	bool mounted;            /* the box is a tmpfs of its own */
	bool validator_first;    /* interactive: the validator ended first */
	char msg[JUDGE_MSG_MAX]; /* the validator's (or runtime's) */
	char detail[512];        /* the verdict's own */
	bool has_score;          /* the validator's score (score.txt, or a
	                            testlib checker's points) */
	double score;
	struct ac_test_result tr;
};

/* The steps of one judgement and what they share, file by file
 * (judge.c, the context, the run directory and the steps around the
 * tests; judge_cache.c, the compile cache and the box made fresh from
 * the build; judge_files.c, submissions of several files; judge_test.c,
 * the tests; judge_run.c, runs with custom input). */

/* judge.c */
int judge_in_list(char **l, const char *name);
void judge_box_clear(const char *box, char **keep);
void judge_fail(struct ac_result *out, enum ac_verdict v, const char *name,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void judge_load_sample(struct ac_judge_load *l);
uint64_t judge_wall_ms(uint64_t cpu_ms, const struct ac_judge_load *l);
bool judge_rerun_tle(const struct ac_test_result *tr,
                     const struct ac_run_report *rep,
                     const struct ac_limits *lim, struct ac_judge_load *l);
int judge_step_start(struct judge_run *j);
int judge_step_source(struct judge_run *j);
int judge_step_compile(struct judge_run *j);
int judge_step_keep_build(struct judge_run *j);
void judge_step_limits(struct judge_run *j);
int judge_step_run_command(struct judge_run *j);
void judge_step_finish(struct judge_run *j);

/* judge_cache.c */
int judge_box_reset(struct ac_judge_ctx *ctx, const char *box,
                    const char *pristine, struct judge_budget b,
                    uint64_t box_kb, bool *mounted);
bool judge_box_full(const char *box);
void judge_cache_key(const struct ac_lang_info *lang,
                     const struct ac_judge_job *job, char *hex, size_t hexlen);
int judge_cache_get(struct ac_judge_ctx *ctx, const char *key, const char *box,
                    char **source, char **log, uint64_t *time_ms);
void judge_cache_put(struct ac_judge_ctx *ctx, const char *key, const char *box,
                     char **source, const char *log, uint64_t time_ms);

/* judge_files.c */
int judge_step_files(struct judge_run *j);

/* judge_test.c */
void judge_test_verdict(struct judge_run *j, struct judge_test *x);
void judge_step_tests(struct judge_run *j);
void judge_step_grade(struct judge_run *j);

#endif
