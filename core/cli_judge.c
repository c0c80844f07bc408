/* `algocode judge` and `algocode run`: one submission, or one run with
 * custom input, through the judging pipeline in this process. */
#include "cli_int.h"

#include "judge_role.h"
#include "msg.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------- judge */

char *cli_read_source(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	size_t n = 0;

	if (fd < 0) {
		fprintf(stderr, "algocode: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "algocode: %s: not a regular file\n", path);
		goto out;
	}
	if ((uint64_t)st.st_size > CLI_MAX_SOURCE) {
		fprintf(stderr, "algocode: %s: larger than %u bytes\n", path,
		        CLI_MAX_SOURCE);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		goto out;
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*len = n;
out:
	close(fd);
	return buf;
}

/* Several source files: one bundle (core/msg.h) of their base names. */
static char *cli_read_files(char **paths, size_t n, size_t *len)
{
	struct ac_src_file *f;
	char *data[AC_FILES_MAX], *b = NULL;
	size_t i;

	if (n > AC_FILES_MAX) {
		fprintf(stderr, "algocode: at most %d files\n", AC_FILES_MAX);
		return NULL;
	}
	f = calloc(n, sizeof(*f));
	if (!f)
		return NULL;
	for (i = 0; i < n; i++) {
		const char *base = strrchr(paths[i], '/');

		base = base ? base + 1 : paths[i];
		if (!ac_file_name_ok(base, strlen(base))) {
			fprintf(stderr,
			        "algocode: %s: a file name is 1 to %d letters, "
			        "digits, '.', '_' or '-', not starting with "
			        "'.'\n",
			        paths[i], AC_FILE_NAME_MAX);
			break;
		}
		for (size_t k = 0; k < i; k++)
			if (strcmp(f[k].name, base) == 0) {
				fprintf(stderr, "algocode: %s given twice\n",
				        base);
				goto out;
			}
		snprintf(f[i].name, sizeof(f[i].name), "%s", base);
		if (!(data[i] = cli_read_source(paths[i], &f[i].len)))
			break;
		f[i].data = data[i];
	}
	if (i == n && ac_files_bundle(f, n, &b, len) < 0)
		b = NULL;
out:
	for (size_t k = 0; k < n && f[k].data; k++)
		free(data[k]);
	free(f);
	return b;
}

static void cli_progress_cb(void *arg, const struct ac_test_result *t,
                            size_t index, size_t total)
{
	FILE *f = arg;

	fprintf(f, "  [%zu/%zu] %-24s %-3s %6llu ms %8llu KiB%s%s\n", index + 1,
	        total, t->name, ac_verdict_code(t->verdict),
	        (unsigned long long)t->time_ms,
	        (unsigned long long)t->memory_kb,
	        t->message && t->message[0] ? "  " : "",
	        t->message ? t->message : "");
	fflush(f);
}

/* The problem of --problem: a package directory, or an id/uuid of the
 * configured problems directory. */
static int cli_problem(struct ac_core *core, const char *arg,
                       struct ac_problem **own, const struct ac_problem **p)
{
	struct stat st;
	char err[1024];
	int r;

	*own = NULL;
	if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
		r = ac_problem_load(arg, own, err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "algocode: %s\n", err);
			return r;
		}
		*p = *own;
		return 0;
	}
	{
		const char *dir =
		        ac_config_string(core->cfg, "judge.problems_dir", NULL);
		struct ac_problem_set *set = NULL;
		size_t nerr;
		if (dir && ac_problem_set_load(dir, &set, &nerr, err,
		                               sizeof(err)) == 0) {
			core->problems = set;
			*p = ac_problem_find(set, arg);
			if (*p)
				return 0;
		}
	}
	fprintf(stderr,
	        "algocode: --problem %s: not a package directory, nor a "
	        "problem id in judge.problems_dir\n",
	        arg);
	return -ENOENT;
}

int cli_judge_ctx(struct ac_core *core, struct ac_judge_ctx *jctx)
{
	const char *work = ac_config_string(core->cfg, "judge.work_dir",
	                                    AC_DEFAULT_WORK_DIR);

	if (AC_SANDBOX(core)->enforcing(core->sandbox->state) < 0 &&
	    !ac_config_bool(core->cfg, "sandbox.allow_degraded", false)) {
		fprintf(stderr,
		        "algocode: the %s sandbox cannot enforce memory or "
		        "process limits here (see `algocode check-env`); set "
		        "sandbox.allow_degraded = true to judge anyway\n",
		        core->sandbox->desc->name);
		return -ENOTSUP;
	}
	if (ac_judge_ctx_init(jctx, AC_SANDBOX(core), core->sandbox->state,
	                      core->sandbox->desc->name, work,
	                      core->hostname) < 0)
		return -ENOMEM;
	jctx->compile_cache_kb = ac_judge_cache_kb(
	        ac_config_int(core->cfg, "judge.compile_cache_mb", 256));
	jctx->langs = core->langs;
	jctx->nlangs = core->nlangs;
	/* The command line is the operator's: every test's details show
	 * (docs/security.md); results served over HTTP hide them. */
	jctx->reveal_secret_details = true;
	return 0;
}

/* The core for judging (the sandbox, the languages) and o->lang's
 * language; -1 after saying why (the core then needs nothing more). */
static int cli_judging_core(const struct cli_opts *o, struct ac_core *core,
                            const struct ac_lang_info **lang)
{
	char list[256];

	if (cli_core(o, core, AC_NEED_SANDBOX | AC_NEED_LANGS) < 0)
		return -1;
	*lang = ac_core_lang(core, o->lang);
	if (*lang)
		return 0;
	ac_core_lang_list(core, list, sizeof(list));
	fprintf(stderr, "algocode: unknown language \"%s\" (supported: %s)\n",
	        o->lang, list);
	ac_core_fini(core);
	return -1;
}

/* A source given on the command line: the plugin behind lang, a fresh id
 * written to id (idlen bytes), submitted now. */
void cli_source(const struct ac_core *core, const struct ac_lang_info *lang,
                const char *code, size_t len, const char *user, char *id,
                size_t idlen, struct ac_job_source *src)
{
	snprintf(id, idlen, "cli-%lld-%d", (long long)ac_now_ms(),
	         (int)getpid());
	ac_core_job_lang(core, lang, src);
	src->code = code;
	src->code_len = len;
	src->id = id;
	src->user_id = user;
	src->submitted_at = ac_now_ms();
}

int cli_judge(const struct cli_opts *o)
{
	struct ac_core core;
	struct ac_judge_ctx jctx;
	struct ac_problem *own = NULL;
	const struct ac_problem *p;
	const struct ac_lang_info *lang;
	struct ac_judge_job job;
	struct ac_result res;
	char id[64], *code = NULL;
	size_t len = 0;
	int status = 1;

	if (!o->problem || !o->lang || o->nargs < 1) {
		fprintf(stderr,
		        "Usage: algocode judge --problem DIR --lang LANG "
		        "[--json] [--all] SOURCE...\n");
		return 2;
	}
	if (cli_judging_core(o, &core, &lang) < 0)
		return 1;
	if (cli_problem(&core, o->problem, &own, &p) < 0)
		goto out;
	code = o->nargs == 1 ? cli_read_source(o->args[0], &len)
	                     : cli_read_files(o->args, (size_t)o->nargs, &len);
	if (!code)
		goto out;
	if (cli_judge_ctx(&core, &jctx) < 0)
		goto out;
	memset(&job, 0, sizeof(job));
	job.problem = p;
	cli_source(&core, lang, code, len, "cli", id, sizeof(id), &job.src);
	job.all_tests =
	        o->all || ac_config_bool(core.cfg, "judge.all_tests", false);
	if (!o->json) {
		job.progress = cli_progress_cb;
		job.progress_arg = stdout;
		printf("%s: judging %s (%s, %zu tests)\n", p->id, o->args[0],
		       lang->display, p->ntests);
		fflush(stdout);
	} else if (isatty(STDERR_FILENO)) {
		job.progress = cli_progress_cb;
		job.progress_arg = stderr;
	}
	ac_judge(&jctx, &job, &res);
	if (o->json) {
		char *doc = ac_result_to_json(&res);
		if (doc)
			printf("%s\n", doc);
		free(doc);
		status = doc ? 0 : 1;
	} else {
		if (!res.compile_ok)
			printf("compilation failed:\n%s\n",
			       res.compile_log ? res.compile_log : "");
		printf("%s %s (%s): %llu ms, %llu KiB\n",
		       ac_verdict_code(res.verdict),
		       ac_verdict_name(res.verdict), p->id,
		       (unsigned long long)res.time_ms,
		       (unsigned long long)res.memory_kb);
		status = 0;
	}
	ac_result_clear(&res);
	ac_judge_ctx_fini(&jctx);
out:
	free(code);
	ac_problem_free(own);
	ac_core_fini(&core);
	return status;
}

/* ------------------------------------------------------------------ run */

#define CLI_MAX_INPUT (16u << 20)

/* All of stdin (at most CLI_MAX_INPUT bytes), malloc'ed. */
static char *cli_read_stdin(size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);

	while (buf) {
		ssize_t r;

		if (n == cap) {
			char *nb;

			if (cap >= CLI_MAX_INPUT) {
				fprintf(stderr,
				        "algocode: the input is larger than "
				        "%u bytes\n",
				        CLI_MAX_INPUT);
				free(buf);
				return NULL;
			}
			nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		r = read(STDIN_FILENO, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "algocode: stdin: %s\n",
			        strerror(errno));
			break;
		}
		if (r == 0) {
			*len = n;
			return buf;
		}
		n += (size_t)r;
	}
	free(buf);
	return NULL;
}

/* The program's output on stdout, the rest on stderr. */
static void cli_run_print(const char *doc)
{
	json_t *d = json_loads(doc, 0, NULL);
	json_t *run = d ? json_array_get(json_object_get(d, "runs"), 0) : NULL;
	json_t *c = d ? json_object_get(d, "compile") : NULL;
	const char *log = json_string_value(json_object_get(c, "log"));
	const char *msg = json_string_value(json_object_get(d, "message"));

	if (!d)
		return;
	if (c && !json_is_true(json_object_get(c, "ok")))
		fprintf(stderr, "compilation failed:\n%s\n", log ? log : "");
	if (run) {
		const char *out =
		        json_string_value(json_object_get(run, "stdout"));
		const char *err =
		        json_string_value(json_object_get(run, "stderr"));
		size_t n = json_string_length(json_object_get(run, "stdout"));

		if (out)
			fwrite(out, 1, n, stdout);
		fflush(stdout);
		if (err && err[0])
			fprintf(stderr, "--- stderr%s:\n%s\n",
			        json_is_true(json_object_get(
			                run, "stderr_truncated"))
			                ? " (head)"
			                : "",
			        err);
		msg = json_string_value(json_object_get(run, "message"));
		fprintf(stderr,
		        "%s %s: %lld ms, %lld KiB, exit code %lld%s%s\n",
		        json_string_value(json_object_get(d, "verdict_code")),
		        json_string_value(json_object_get(d, "verdict")),
		        json_integer_value(json_object_get(run, "time_ms")),
		        json_integer_value(json_object_get(run, "memory_kb")),
		        json_integer_value(json_object_get(run, "exit_code")),
		        msg && msg[0] ? "; " : "", msg ? msg : "");
	} else {
		fprintf(stderr, "%s %s%s%s\n",
		        json_string_value(json_object_get(d, "verdict_code")),
		        json_string_value(json_object_get(d, "verdict")),
		        msg && msg[0] ? ": " : "", msg ? msg : "");
	}
	json_decref(d);
}

int cli_run(const struct cli_opts *o)
{
	struct ac_core core;
	struct ac_judge_ctx jctx;
	const struct ac_lang_info *lang;
	struct ac_run_job rj;
	char id[64], *code = NULL, *input = NULL, *doc = NULL;
	const char *inputs[1];
	size_t len = 0, ilen = 0;
	int status = 1;

	if (!o->lang || o->nargs != 1) {
		fprintf(stderr, "Usage: algocode run --lang LANG [--json] "
		                "SOURCE < INPUT\n");
		return 2;
	}
	if (cli_judging_core(o, &core, &lang) < 0)
		return 1;
	code = cli_read_source(o->args[0], &len);
	if (!code || !(input = cli_read_stdin(&ilen)))
		goto out;
	if (cli_judge_ctx(&core, &jctx) < 0)
		goto out;
	memset(&rj, 0, sizeof(rj));
	ac_run_limits(core.cfg, &rj);
	/* The whole output is the command's: keep as much as may be
	 * written. */
	rj.stdout_kb = rj.output_mb * 1024;
	cli_source(&core, lang, code, len, "cli", id, sizeof(id), &rj.src);
	inputs[0] = input;
	rj.inputs = inputs;
	rj.input_lens = &ilen;
	rj.ninputs = 1;
	if (ac_judge_run(&jctx, &rj, &doc) == 0) {
		if (o->json)
			printf("%s\n", doc);
		else
			cli_run_print(doc);
		status = 0;
	}
	free(doc);
	ac_judge_ctx_fini(&jctx);
out:
	free(code);
	free(input);
	ac_core_fini(&core);
	return status;
}
