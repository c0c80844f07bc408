/* What the judging pipeline's files share (core/judge.c, the pipeline;
 * core/judge_val.c, custom validators, interactive and multi-pass runs).
 * Internal to the core. */
#ifndef AC_JUDGE_INT_H
#define AC_JUDGE_INT_H
#include "judge.h"
#include "verdict.h"

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
#endif
