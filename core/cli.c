/* The command line of design.md. */
#include "cli.h"

#include "api.h"
#include "auth.h"
#include "config.h"
#include "core.h"
#include "judge.h"
#include "judge_role.h"
#include "jwt.h"
#include "log.h"
#include "metrics.h"
#include "privsep.h"
#include "result.h"
#include "verdict.h"

#include <dirent.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CLI_MAX_SOURCE (4u << 20)

static const char cli_usage[] =
        "Usage: algocode COMMAND [-c FILE] [-o path=value]... [ARGS]\n"
        "\n"
        "Commands:\n"
        "  serve                           run the roles of the configuration\n"
        "  judge --problem DIR --lang LANG [--json] [--all] SOURCE\n"
        "                                  judge one source file and print the "
        "result\n"
        "  problem verify DIR...           check every input with DIR's input "
        "validators,\n"
        "                                  judge DIR/submissions/<kind>/* and "
        "report\n"
        "                                  every verdict that differs from its "
        "kind\n"
        "  check-env                       show what the sandbox enforces "
        "here\n"
        "  token --user ID [--ttl SECONDS] mint an access token (default ttl "
        "3600)\n"
        "\n"
        "Options:\n"
        "  -c, --config FILE     configuration file (default " AC_DEFAULT_CONFIG
        ")\n"
        "  -o, --option P=V      override one setting, e.g. -o "
        "transport.plugin=nats;\n"
        "                        a bare word is a string\n"
        "  -h, --help            this help\n"
        "  -V, --version         the version\n"
        "\n"
        "`judge` exits 0 whenever a verdict was reached, whatever it is.\n"
        "Documentation: docs/ and algocode(1).\n";

struct cli_opts {
	const char *config;
	const char **overrides;
	size_t noverrides;
	const char *problem, *lang, *user;
	long long ttl;
	bool json, all;
	char **args; /* positional arguments after the command */
	int nargs;
};

static int cli_parse(int argc, char **argv, struct cli_opts *o)
{
	static const struct option longopts[] = {
	        {"config", required_argument, NULL, 'c'},
	        {"option", required_argument, NULL, 'o'},
	        {"problem", required_argument, NULL, 'p'},
	        {"lang", required_argument, NULL, 'l'},
	        {"json", no_argument, NULL, 'j'},
	        {"all", no_argument, NULL, 'a'},
	        {"user", required_argument, NULL, 'u'},
	        {"ttl", required_argument, NULL, 't'},
	        {"help", no_argument, NULL, 'h'},
	        {"version", no_argument, NULL, 'V'},
	        {NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->ttl = 3600;
	o->overrides = calloc((size_t)argc + 1, sizeof(*o->overrides));
	if (!o->overrides)
		return -ENOMEM;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:o:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'o':
			o->overrides[o->noverrides++] = optarg;
			break;
		case 'p':
			o->problem = optarg;
			break;
		case 'l':
			o->lang = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'a':
			o->all = true;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 't': {
			char *end;
			errno = 0;
			o->ttl = strtoll(optarg, &end, 10);
			if (errno || *end || o->ttl <= 0) {
				fprintf(stderr, "algocode: --ttl wants a "
				                "positive number "
				                "of seconds\n");
				return -EINVAL;
			}
			break;
		}
		case 'h':
			fputs(cli_usage, stdout);
			exit(0);
		case 'V':
			printf("algocode " PACKAGE_VERSION
			       " (plugin ABI %u.%u)\n",
			       AC_ABI_VERSION, AC_ABI_MINOR);
			exit(0);
		default:
			fputs("Try 'algocode --help'.\n", stderr);
			return -EINVAL;
		}
	}
	o->args = argv + optind;
	o->nargs = argc - optind;
	return 0;
}

static int cli_config(const struct cli_opts *o, struct ac_config **cfg)
{
	const char *path = o->config ? o->config : AC_DEFAULT_CONFIG;
	char err[1024];
	int r;

	if (!o->config && access(path, R_OK) < 0) {
		fprintf(stderr,
		        "algocode: no configuration: %s is not installed; "
		        "pass -c FILE\n",
		        path);
		return -ENOENT;
	}
	r = ac_config_load(path, o->overrides, o->noverrides, cfg, err,
	                   sizeof(err));
	if (r < 0)
		fprintf(stderr, "algocode: %s\n", err);
	return r;
}

static int cli_core(const struct cli_opts *o, struct ac_core *core,
                    unsigned need)
{
	struct ac_config *cfg;
	char err[1024];
	int r;

	memset(core, 0, sizeof(*core));
	r = cli_config(o, &cfg);
	if (r < 0)
		return r;
	r = ac_core_init(core, cfg, need, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "algocode: %s\n", err);
		ac_core_fini(core);
	}
	return r;
}

/* ---------------------------------------------------------------- serve */

static int cli_has_role(const struct ac_config *cfg, const char *role)
{
	const char **roles = ac_config_string_list(cfg, "roles");
	int found = 0;

	for (size_t i = 0; roles && roles[i]; i++)
		if (strcmp(roles[i], role) == 0)
			found = 1;
	free(roles);
	return found;
}

static int cli_serve(const struct cli_opts *o)
{
	struct ac_config *cfg;
	struct ac_core core;
	unsigned need = 0;
	bool api, judge, auth;
	char err[1024];
	const char **roles;
	int r;

	if (o->nargs) {
		fprintf(stderr, "algocode serve: unexpected argument %s\n",
		        o->args[0]);
		return 2;
	}
	if (cli_config(o, &cfg) < 0)
		return 1;
	roles = ac_config_string_list(cfg, "roles");
	for (size_t i = 0; roles && roles[i]; i++) {
		if (strcmp(roles[i], "api") && strcmp(roles[i], "judge") &&
		    strcmp(roles[i], "auth")) {
			fprintf(stderr,
			        "algocode: unknown role \"%s\" (known: auth, "
			        "api, judge)\n",
			        roles[i]);
			free(roles);
			ac_config_free(cfg);
			return 1;
		}
	}
	free(roles);
	api = cli_has_role(cfg, "api");
	judge = cli_has_role(cfg, "judge");
	auth = cli_has_role(cfg, "auth");
	if (!api && !judge && !auth) {
		fprintf(stderr, "algocode: the configuration names no role "
		                "(roles = [\"api\", \"judge\"])\n");
		ac_config_free(cfg);
		return 1;
	}
	if (api)
		need |= AC_NEED_STORE | AC_NEED_TRANSPORT | AC_NEED_LANGS |
		        AC_NEED_PROBLEMS;
	if (judge)
		need |= AC_NEED_TRANSPORT | AC_NEED_SANDBOX | AC_NEED_LANGS |
		        AC_NEED_PROBLEMS;
	if (auth)
		need |= AC_NEED_STORE;
	need |= AC_NEED_PRIVSEP;
	r = ac_core_init(&core, cfg, need, err, sizeof(err));
	if (r < 0)
		goto fail;
	if ((r = ac_core_handle_signals(&core)) < 0) {
		snprintf(err, sizeof(err), "cannot handle signals");
		goto fail;
	}
	if (judge && (r = ac_judge_role_start(&core, err, sizeof(err))) < 0)
		goto fail;
	if (api && (r = ac_api_start(&core, err, sizeof(err))) < 0)
		goto fail;
	/* After the api: auth shares its listener when both run here. */
	if (auth && (r = ac_auth_start(&core, err, sizeof(err))) < 0)
		goto fail;
	/* After the roles: metrics.listen may name a role's listener. */
	if ((r = ac_metrics_http_start(&core, NULL, err, sizeof(err))) < 0)
		goto fail;
	log_info("algocode %s serving (roles:%s%s%s)", PACKAGE_VERSION,
	         auth ? " auth" : "", api ? " api" : "", judge ? " judge" : "");
	event_base_dispatch(core.base);
	log_info("stopping");
	/* The judge stops taking jobs and runs the loop until its results
	 * are confirmed (a single node's api is still there to store them);
	 * then the api drains its own work; the judge role is freed last, as
	 * both drains run the loop and may still call into it. */
	ac_judge_role_quiesce(&core);
	ac_api_stop(&core);
	ac_auth_stop(&core);
	ac_metrics_http_stop(&core);
	ac_judge_role_stop(&core);
	r = core.exit_status ? 1 : 0;
	ac_core_fini(&core);
	return r;
fail:
	fprintf(stderr, "algocode: %s\n", err);
	ac_judge_role_quiesce(&core);
	ac_api_stop(&core);
	ac_auth_stop(&core);
	ac_metrics_http_stop(&core);
	ac_judge_role_stop(&core);
	ac_core_fini(&core);
	return 1;
}

/* ---------------------------------------------------------------- judge */

static char *cli_read_source(const char *path, size_t *len)
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

static int cli_judge_ctx(struct ac_core *core, struct ac_judge_ctx *jctx)
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

/* The plugin behind lang: its classify and run_argv ops. */
static void cli_lang_ops(const struct ac_core *core,
                         const struct ac_lang_info *lang,
                         struct ac_judge_job *job)
{
	const struct ac_loaded *lp = ac_core_lang_plugin(core, lang->name);

	if (lp) {
		job->lang_ops = lp->ops;
		job->lang_state = lp->state;
	}
}

static void cli_random_id(char *buf, size_t len)
{
	snprintf(buf, len, "cli-%lld-%d", (long long)ac_now_ms(),
	         (int)getpid());
}

static int cli_judge(const struct cli_opts *o)
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

	if (!o->problem || !o->lang || o->nargs != 1) {
		fprintf(stderr,
		        "Usage: algocode judge --problem DIR --lang LANG "
		        "[--json] [--all] SOURCE\n");
		return 2;
	}
	if (cli_core(o, &core, AC_NEED_SANDBOX | AC_NEED_LANGS) < 0)
		return 1;
	lang = ac_core_lang(&core, o->lang);
	if (!lang) {
		char list[256];
		ac_core_lang_list(&core, list, sizeof(list));
		fprintf(stderr,
		        "algocode: unknown language \"%s\" (supported: %s)\n",
		        o->lang, list);
		goto out;
	}
	if (cli_problem(&core, o->problem, &own, &p) < 0)
		goto out;
	code = cli_read_source(o->args[0], &len);
	if (!code)
		goto out;
	if (cli_judge_ctx(&core, &jctx) < 0)
		goto out;
	cli_random_id(id, sizeof(id));
	memset(&job, 0, sizeof(job));
	job.problem = p;
	job.lang = lang;
	cli_lang_ops(&core, lang, &job);
	job.code = code;
	job.code_len = len;
	job.submission_id = id;
	job.user_id = "cli";
	job.submitted_at = ac_now_ms();
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

/* ------------------------------------------------------- problem verify */

static int cli_name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static char **cli_list(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL;

	*n = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		char **nv;
		if (de->d_name[0] == '.')
			continue;
		nv = realloc(v, (*n + 1) * sizeof(*v));
		if (!nv)
			break;
		v = nv;
		v[(*n)++] = strdup(de->d_name);
	}
	closedir(d);
	if (v)
		qsort(v, *n, sizeof(*v), cli_name_cmp);
	return v;
}

/* The language whose source file has the same extension as name. */
static const struct ac_lang_info *cli_lang_of(struct ac_core *core,
                                              const char *name)
{
	const char *ext = strrchr(name, '.');

	if (!ext)
		return NULL;
	for (size_t i = 0; i < core->nlangs; i++) {
		const struct ac_lang_ops *ops = core->langs[i]->ops;
		const struct ac_lang_info *info =
		        ops->info(core->langs[i]->state);
		const char *e2 = info ? strrchr(info->source_file, '.') : NULL;
		if (e2 && strcmp(e2, ext) == 0)
			return info;
	}
	return NULL;
}

struct cli_inputs {
	const char *id;
	unsigned *mismatches;
};

/* One line per input validator, and one per input it did not accept. */
static void cli_input_cb(void *arg, const char *validator, const char *test,
                         int ok, const char *msg)
{
	struct cli_inputs *c = arg;

	if (!test && ok == 1)
		printf("OK      %s: input validator %s: %s\n", c->id, validator,
		       msg);
	else if (!test)
		printf("BROKEN  %s: input validator %s: %s\n", c->id, validator,
		       msg);
	else
		printf("INVALID %s/%s: input validator %s %s%s%s\n", c->id,
		       test, validator, ok == 0 ? "rejects it" : "failed on it",
		       *msg ? ": " : "", msg);
	if (test || ok != 1)
		(*c->mismatches)++;
	fflush(stdout);
}

static int cli_verify_one(struct ac_core *core, struct ac_judge_ctx *jctx,
                          const char *dir, unsigned *checked,
                          unsigned *mismatches)
{
	struct ac_problem *p;
	char err[1024], sdir[4096];
	char **kinds;
	size_t nkinds;
	int r;

	r = ac_problem_load(dir, &p, err, sizeof(err));
	if (r < 0) {
		printf("BROKEN  %s: %s\n", dir, err);
		(*mismatches)++;
		return 0;
	}
	if (p->ninput_validators) {
		struct cli_inputs ci = {p->id, mismatches};

		ac_judge_check_inputs(jctx, p, cli_input_cb, &ci);
	}
	snprintf(sdir, sizeof(sdir), "%s/submissions", p->dir);
	kinds = cli_list(sdir, &nkinds);
	if (!kinds || nkinds == 0) {
		printf("EMPTY   %s: no submissions/<kind>/ to verify\n", p->id);
		(*mismatches)++;
	}
	for (size_t k = 0; k < nkinds; k++) {
		enum ac_verdict want;
		char kdir[4400];
		char **files;
		size_t nfiles;

		snprintf(kdir, sizeof(kdir), "%s/%s", sdir, kinds[k]);
		if (ac_verdict_parse(kinds[k], &want) < 0) {
			printf("UNKNOWN %s/submissions/%s: not a verdict "
			       "kind\n",
			       p->id, kinds[k]);
			(*mismatches)++;
			continue;
		}
		files = cli_list(kdir, &nfiles);
		for (size_t f = 0; f < nfiles; f++) {
			const struct ac_lang_info *lang =
			        cli_lang_of(core, files[f]);
			struct ac_judge_job job;
			struct ac_result res;
			char path[4600], id[64];
			char *code;
			size_t len;

			snprintf(path, sizeof(path), "%s/%s", kdir, files[f]);
			if (!lang) {
				printf("SKIP    %s/%s/%s: no language for this "
				       "file\n",
				       p->id, kinds[k], files[f]);
				continue;
			}
			code = cli_read_source(path, &len);
			if (!code) {
				(*mismatches)++;
				continue;
			}
			cli_random_id(id, sizeof(id));
			memset(&job, 0, sizeof(job));
			job.problem = p;
			job.lang = lang;
			cli_lang_ops(core, lang, &job);
			job.code = code;
			job.code_len = len;
			job.submission_id = id;
			job.user_id = "verify";
			job.submitted_at = ac_now_ms();
			ac_judge(jctx, &job, &res);
			(*checked)++;
			if (res.verdict == want) {
				printf("OK      %s/%s/%s: %s (%llu ms, %llu "
				       "KiB)\n",
				       p->id, kinds[k], files[f],
				       ac_verdict_code(res.verdict),
				       (unsigned long long)res.time_ms,
				       (unsigned long long)res.memory_kb);
			} else {
				const char *why = "";
				for (size_t i = 0; i < res.ntests; i++)
					if (res.tests[i].verdict != AC_V_AC) {
						why = res.tests[i].message
						              ? res.tests[i]
						                        .message
						              : "";
						break;
					}
				printf("MISMATCH %s/%s/%s: got %s, expected "
				       "%s%s%s\n",
				       p->id, kinds[k], files[f],
				       ac_verdict_code(res.verdict),
				       ac_verdict_code(want), *why ? ": " : "",
				       why);
				if (!res.compile_ok && res.compile_log)
					printf("%.2000s\n", res.compile_log);
				(*mismatches)++;
			}
			fflush(stdout);
			ac_result_clear(&res);
			free(code);
		}
		for (size_t f = 0; f < nfiles; f++)
			free(files[f]);
		free(files);
	}
	for (size_t k = 0; k < nkinds; k++)
		free(kinds[k]);
	free(kinds);
	ac_problem_free(p);
	return 0;
}

static int cli_verify(const struct cli_opts *o)
{
	struct ac_core core;
	struct ac_judge_ctx jctx;
	unsigned checked = 0, mismatches = 0;

	if (o->nargs < 2 || strcmp(o->args[0], "verify") != 0) {
		fprintf(stderr,
		        "Usage: algocode problem verify [-c FILE] DIR...\n");
		return 2;
	}
	if (cli_core(o, &core, AC_NEED_SANDBOX | AC_NEED_LANGS) < 0)
		return 1;
	if (cli_judge_ctx(&core, &jctx) < 0) {
		ac_core_fini(&core);
		return 1;
	}
	for (int i = 1; i < o->nargs; i++)
		cli_verify_one(&core, &jctx, o->args[i], &checked, &mismatches);
	printf("%u submissions judged, %u mismatches\n", checked, mismatches);
	ac_judge_ctx_fini(&jctx);
	ac_core_fini(&core);
	return mismatches ? 1 : 0;
}

/* ------------------------------------------------------------ check-env */

static void cli_env_cb(void *arg, const char *what, bool enforced,
                       const char *detail)
{
	unsigned *missing = arg;

	printf("  %-28s %-13s %s\n", what,
	       enforced ? "enforced" : "NOT enforced", detail ? detail : "");
	if (!enforced)
		(*missing)++;
}

static int cli_check_env(const struct cli_opts *o)
{
	struct ac_core core;
	unsigned missing = 0;
	int r;

	if (cli_core(o, &core, AC_NEED_SANDBOX | AC_NEED_LANGS) < 0)
		return 1;
	printf("sandbox %s %s (%s)\n", core.sandbox->desc->name,
	       core.sandbox->desc->version ? core.sandbox->desc->version : "",
	       core.sandbox->desc->description);
	r = AC_SANDBOX(&core)->check_env(core.sandbox->state, cli_env_cb,
	                                 &missing);
	if (r < 0)
		printf("  check failed: %s\n", strerror(-r));
	{
		char d[512];
		bool sep = ac_privsep_describe(core.cfg, d, sizeof(d));

		cli_env_cb(&missing, "privilege separation", sep, d);
	}
	printf("languages\n");
	for (size_t i = 0; i < core.nlangs; i++) {
		const struct ac_lang_ops *ops = core.langs[i]->ops;
		const struct ac_lang_info *info =
		        ops->info(core.langs[i]->state);
		const char *pv = core.langs[i]->desc->version;

		printf("  %-28s %s (plugin %s %s)\n", info->name, info->version,
		       core.langs[i]->desc->name, pv ? pv : "");
	}
	if (AC_SANDBOX(&core)->enforcing(core.sandbox->state) < 0)
		printf("memory or process limits cannot be enforced here: "
		       "judging "
		       "is refused unless sandbox.allow_degraded = true\n");
	else
		printf("memory and process limits are enforced%s\n",
		       missing ? " (some protections above are missing)" : "");
	ac_core_fini(&core);
	return 0;
}

/* ---------------------------------------------------------------- token */

static int cli_token(const struct cli_opts *o)
{
	struct ac_config *cfg;
	struct ac_jwt_keys keys;
	char err[1024];
	const char *path;
	char *tok;
	int n;

	if (!o->user || !o->user[0] || o->nargs) {
		fprintf(stderr,
		        "Usage: algocode token --user ID [--ttl SECONDS]\n");
		return 2;
	}
	if (cli_config(o, &cfg) < 0)
		return 1;
	path = ac_config_string(cfg, "api.jwt_secret_file",
	                        "/var/lib/algocode/jwt.secret");
	n = ac_jwt_keys_load(path, 1, &keys, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "algocode: %s\n", err);
		ac_config_free(cfg);
		return 1;
	}
	/* Signed with the current key; username = user id, no e-mail. */
	tok = ac_jwt_mint_token(&keys, "access", o->user, NULL, NULL,
	                        (int64_t)time(NULL), o->ttl, NULL);
	ac_jwt_keys_wipe(&keys);
	if (!tok) {
		fprintf(stderr, "algocode: cannot mint a token\n");
		ac_config_free(cfg);
		return 1;
	}
	printf("%s\n", tok);
	free(tok);
	ac_config_free(cfg);
	return 0;
}

int ac_cli_main(int argc, char **argv)
{
	struct cli_opts o;
	const char *cmd;
	int r;

	if (argc < 2) {
		fputs(cli_usage, stderr);
		return 2;
	}
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		fputs(cli_usage, stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		printf("algocode " PACKAGE_VERSION " (plugin ABI %u.%u)\n",
		       AC_ABI_VERSION, AC_ABI_MINOR);
		return 0;
	}
	if (cli_parse(argc - 1, argv + 1, &o) < 0) {
		free(o.overrides);
		return 2;
	}
	if (strcmp(cmd, "serve") == 0)
		r = cli_serve(&o);
	else if (strcmp(cmd, "judge") == 0)
		r = cli_judge(&o);
	else if (strcmp(cmd, "problem") == 0)
		r = cli_verify(&o);
	else if (strcmp(cmd, "check-env") == 0)
		r = cli_check_env(&o);
	else if (strcmp(cmd, "token") == 0)
		r = cli_token(&o);
	else {
		fprintf(stderr, "algocode: unknown command \"%s\"\n%s", cmd,
		        cli_usage);
		r = 2;
	}
	free(o.overrides);
	return r;
}
