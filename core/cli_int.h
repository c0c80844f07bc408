/* What the command line's files share (internal to them): the parsed
 * options and the helpers one command family's file lends another.
 *   cli.c          usage, options, serve, check-env, token, dispatch
 *   cli_judge.c    judge and run (one submission through the pipeline)
 *   cli_problem.c  problem verify and problem import */
#ifndef AC_CLI_INT_H
#define AC_CLI_INT_H
#include "cli.h"

#include "core.h"
#include "judge.h"

#include <stdbool.h>
#include <stddef.h>

/* Bytes of a source file (judge, run). */
#define CLI_MAX_SOURCE (4u << 20)

/* The parsed command line. */
struct cli_opts {
	const char *config;
	const char **overrides;
	size_t noverrides;
	const char *problem, *lang, *user;
	long long ttl;
	bool json, all;
	bool fix_time_limit; /* problem verify --fix-time-limit */
	char **args;         /* positional arguments after the command */
	int nargs;
};

/* cli.c */
int cli_core(const struct cli_opts *o, struct ac_core *core, unsigned need);

/* cli_judge.c */
char *cli_read_source(const char *path, size_t *len);
int cli_judge_ctx(struct ac_core *core, struct ac_judge_ctx *jctx);
void cli_source(const struct ac_core *core, const struct ac_lang_info *lang,
                const char *code, size_t len, const char *user, char *id,
                size_t idlen, struct ac_job_source *src);
int cli_judge(const struct cli_opts *o);
int cli_run(const struct cli_opts *o);

/* cli_problem.c */
int cli_verify(const struct cli_opts *o);

#endif
