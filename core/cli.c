/* The command line of design.md. */
#include "cli.h"

#include "check_config.h"

#include "api.h"
#include "auth.h"
#include "config.h"
#include "core.h"
#include "delegate.h"
#include "import.h"
#include "judge.h"
#include "judge_role.h"
#include "jwt.h"
#include "log.h"
#include "metrics.h"
#include "msg.h"
#include "privsep.h"
#include "result.h"
#include "sdnotify.h"
#include "submit.h"
#include "verdict.h"

#include <dirent.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
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
        "  judge --problem DIR --lang LANG [--json] [--all] SOURCE...\n"
        "                                  judge a source file (or several: "
        "a.cpp b.cpp\n"
        "                                  util.h) and print the result\n"
        "  run --lang LANG [--json] SOURCE < INPUT\n"
        "                                  compile and run SOURCE once on "
        "INPUT (no\n"
        "                                  problem, no checking): its output "
        "on stdout,\n"
        "                                  verdict, time and memory on "
        "stderr\n"
        "  problem verify DIR...           check every input with DIR's input "
        "validators,\n"
        "                                  judge DIR/submissions/<kind>/* and "
        "report\n"
        "                                  every verdict that differs from its "
        "kind\n"
        "                                  (and score: @EXPECTED_SCORE@ or\n"
        "                                  submissions.yaml)\n"
        "  problem verify --fix-time-limit DIR...\n"
        "                                  first set the time limit from the "
        "slowest\n"
        "                                  accepted run (written to the "
        "package)\n"
        "  problem import SOURCE DIR       a Kattis/ICPC zip or directory, or "
        "a Polygon\n"
        "                                  package, into the package DIR\n"
        "  check-env                       show what the sandbox enforces "
        "here\n"
        "  check-config                    check every setting of the "
        "configuration and\n"
        "                                  the plugins it names, start "
        "nothing: `ok`\n"
        "                                  or FILE:LINE: SETTING: REASON "
        "lines, exit 1\n"
        "  settings [--format markdown|man|conf] [core | KIND/NAME]...\n"
        "                                  print the declared settings "
        "(docs)\n"
        "  token --user ID [--ttl SECONDS] mint an access token (default ttl "
        "3600)\n"
        "  submit --server URL [--problem ID] [--lang LANG] [--json] FILE...\n"
        "                                  submit to a running server and "
        "follow the\n"
        "                                  judging (`algocode submit --help`)\n"
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
        "`judge` and `run` exit 0 whenever a verdict was reached, whatever it "
        "is;\n"
        "`submit` exits 0 on Accepted, 1 on another verdict, 2 on an error.\n"
        "Documentation: docs/ and algocode(1).\n";

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
	        {"fix-time-limit", no_argument, NULL, 'F'},
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
		case 'F':
			o->fix_time_limit = true;
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

/* systemd's readiness protocol (core/sdnotify.h): every listener and
 * role is up at READY=1. */
static void cli_notify(const char *state)
{
	int r = ac_sd_notify(state);

	if (r < 0)
		log_warn("NOTIFY_SOCKET %s: cannot send %s: %s",
		         getenv("NOTIFY_SOCKET"), state, strerror(-r));
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
	if (judge)
		ac_cg_delegate(cfg);
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
	cli_notify("READY=1");
	event_base_dispatch(core.base);
	log_info("stopping");
	cli_notify("STOPPING=1");
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

	if (!o->problem || !o->lang || o->nargs < 1) {
		fprintf(stderr,
		        "Usage: algocode judge --problem DIR --lang LANG "
		        "[--json] [--all] SOURCE...\n");
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
	code = o->nargs == 1 ? cli_read_source(o->args[0], &len)
	                     : cli_read_files(o->args, (size_t)o->nargs, &len);
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

static int cli_run(const struct cli_opts *o)
{
	struct ac_core core;
	struct ac_judge_ctx jctx;
	const struct ac_lang_info *lang;
	const struct ac_loaded *lp;
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
	code = cli_read_source(o->args[0], &len);
	if (!code || !(input = cli_read_stdin(&ilen)))
		goto out;
	if (cli_judge_ctx(&core, &jctx) < 0)
		goto out;
	cli_random_id(id, sizeof(id));
	memset(&rj, 0, sizeof(rj));
	ac_run_limits(core.cfg, &rj);
	/* The whole output is the command's: keep as much as may be
	 * written. */
	rj.stdout_kb = rj.output_mb * 1024;
	rj.lang = lang;
	lp = ac_core_lang_plugin(&core, lang->name);
	if (lp) {
		rj.lang_ops = lp->ops;
		rj.lang_state = lp->state;
	}
	rj.code = code;
	rj.code_len = len;
	rj.run_id = id;
	rj.user_id = "cli";
	inputs[0] = input;
	rj.inputs = inputs;
	rj.input_lens = &ilen;
	rj.ninputs = 1;
	rj.submitted_at = ac_now_ms();
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

/* What one `problem verify` run counts. */
struct cli_verify {
	struct ac_core *core;
	struct ac_judge_ctx *jctx;
	unsigned checked, mismatches;
};

/* Judge one labelled source; its language from its extension.  -1 when
 * it was not judged (no language: skipped; unreadable: a mismatch).
 * want_score[2]: the expected score range, when *has_want. */
static int cli_verify_judge(struct cli_verify *v, const struct ac_problem *p,
                            const char *kind, const char *file,
                            const char *path, struct ac_result *res,
                            double *want_score, int *has_want)
{
	const struct ac_lang_info *lang = cli_lang_of(v->core, file);
	struct ac_judge_job job;
	char id[64], *code;
	size_t len;

	if (!lang) {
		printf("SKIP    %s/%s/%s: no language for this file\n", p->id,
		       kind, file);
		return -1;
	}
	code = cli_read_source(path, &len);
	if (!code) {
		v->mismatches++;
		return -1;
	}
	*has_want = ac_expected_score(code, len, want_score);
	want_score[1] = want_score[0];
	if (*has_want == 0) {
		char rel[4200];

		snprintf(rel, sizeof(rel), "%s/%s", kind, file);
		*has_want = ac_submission_expected_score(p, rel, &want_score[0],
		                                         &want_score[1]);
	}
	if (*has_want < 0) {
		printf("MISMATCH %s/%s/%s: unreadable expected score "
		       "(@EXPECTED_SCORE@ or submissions.yaml)\n",
		       p->id, kind, file);
		v->mismatches++;
		free(code);
		return -1;
	}
	cli_random_id(id, sizeof(id));
	memset(&job, 0, sizeof(job));
	job.problem = p;
	job.lang = lang;
	cli_lang_ops(v->core, lang, &job);
	job.code = code;
	job.code_len = len;
	job.submission_id = id;
	job.user_id = "verify";
	job.submitted_at = ac_now_ms();
	ac_judge(v->jctx, &job, res);
	free(code);
	return 0;
}

/* The verdict (and, where the source states one, the score) of one
 * labelled submission against its kind. */
static void cli_verify_file(struct cli_verify *v, const struct ac_problem *p,
                            const char *kind, enum ac_verdict want,
                            const char *file, const char *path)
{
	struct ac_result res;
	double want_score[2] = {0, 0}, eps;
	int has_want = 0;
	bool score_ok;

	if (cli_verify_judge(v, p, kind, file, path, &res, want_score,
	                     &has_want) < 0)
		return;
	v->checked++;
	eps = 1e-6 * fmax(1.0, fabs(want_score[1]));
	score_ok =
	        !has_want || (res.scored && res.score >= want_score[0] - eps &&
	                      res.score <= want_score[1] + eps);
	if (res.verdict == want && score_ok) {
		char sc[64] = "";

		if (res.scored)
			snprintf(sc, sizeof(sc), ", score %g", res.score);
		printf("OK      %s/%s/%s: %s (%llu ms, %llu KiB%s)\n", p->id,
		       kind, file, ac_verdict_code(res.verdict),
		       (unsigned long long)res.time_ms,
		       (unsigned long long)res.memory_kb, sc);
	} else if (res.verdict == want) {
		char range[64] = "";

		if (want_score[1] != want_score[0])
			snprintf(range, sizeof(range), " to %g", want_score[1]);
		printf("MISMATCH %s/%s/%s: score %g, expected %g%s\n", p->id,
		       kind, file, res.scored ? res.score : 0.0, want_score[0],
		       range);
		v->mismatches++;
	} else {
		const char *why = "";
		for (size_t i = 0; i < res.ntests; i++)
			if (res.tests[i].verdict != AC_V_AC) {
				why = res.tests[i].message
				              ? res.tests[i].message
				              : "";
				break;
			}
		printf("MISMATCH %s/%s/%s: got %s, expected %s%s%s\n", p->id,
		       kind, file, ac_verdict_code(res.verdict),
		       ac_verdict_code(want), *why ? ": " : "", why);
		if (!res.compile_ok && res.compile_log)
			printf("%.2000s\n", res.compile_log);
		v->mismatches++;
	}
	fflush(stdout);
	ac_result_clear(&res);
}

static void cli_free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
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

static int cli_verify_one(struct cli_verify *v, const char *dir)
{
	struct ac_problem *p;
	char err[1024], sdir[4096];
	char **kinds;
	size_t nkinds;
	int r;

	r = ac_problem_load(dir, &p, err, sizeof(err));
	if (r < 0) {
		printf("BROKEN  %s: %s\n", dir, err);
		v->mismatches++;
		return 0;
	}
	if (p->ninput_validators) {
		struct cli_inputs ci = {p->id, &v->mismatches};

		ac_judge_check_inputs(v->jctx, p, cli_input_cb, &ci);
	}
	snprintf(sdir, sizeof(sdir), "%s/submissions", p->dir);
	kinds = cli_list(sdir, &nkinds);
	if (!kinds || nkinds == 0) {
		printf("EMPTY   %s: no submissions/<kind>/ to verify\n", p->id);
		v->mismatches++;
	}
	for (size_t k = 0; k < nkinds; k++) {
		enum ac_verdict want;
		char kdir[4400], path[4600];
		char **files;
		size_t nfiles;

		snprintf(kdir, sizeof(kdir), "%s/%s", sdir, kinds[k]);
		if (strcmp(kinds[k], "submissions.yaml") == 0)
			continue; /* 2023-07 metadata (authors, language) */
		if (ac_verdict_parse(kinds[k], &want) < 0) {
			printf("UNKNOWN %s/submissions/%s: not a verdict "
			       "kind\n",
			       p->id, kinds[k]);
			v->mismatches++;
			continue;
		}
		files = cli_list(kdir, &nfiles);
		for (size_t f = 0; f < nfiles; f++) {
			snprintf(path, sizeof(path), "%s/%s", kdir, files[f]);
			cli_verify_file(v, p, kinds[k], want, files[f], path);
		}
		cli_free_list(files, nfiles);
	}
	cli_free_list(kinds, nkinds);
	ac_problem_free(p);
	return 0;
}

/* The slowest test of every submission in submissions/<kind>/ judged
 * with the time limit tl: the largest (slowest) or, for TLE ones, the
 * smallest (fastest); *bad counts those that did not get want. */
static double cli_kind_times(struct cli_verify *v, struct ac_problem *p,
                             const char *kind, enum ac_verdict want, double tl,
                             bool fastest, unsigned *n, unsigned *bad)
{
	char kdir[4400], path[4600];
	double keep = p->time_limit_s, t = fastest ? INFINITY : 0;
	char **files;
	size_t nfiles;

	snprintf(kdir, sizeof(kdir), "%s/submissions/%s", p->dir, kind);
	files = cli_list(kdir, &nfiles);
	p->time_limit_s = tl;
	for (size_t f = 0; f < nfiles; f++) {
		struct ac_result res;
		double ws[2], s;
		int hw;

		snprintf(path, sizeof(path), "%s/%s", kdir, files[f]);
		if (cli_verify_judge(v, p, kind, files[f], path, &res, ws,
		                     &hw) < 0)
			continue;
		s = (double)res.time_ms / 1000.0;
		(*n)++;
		if (res.verdict != want) {
			printf("TIME    %s/%s/%s: %s with a time limit of %g "
			       "s\n",
			       p->id, kind, files[f],
			       ac_verdict_code(res.verdict), tl);
			(*bad)++;
		}
		t = fastest ? fmin(t, s) : fmax(t, s);
		ac_result_clear(&res);
	}
	p->time_limit_s = keep;
	cli_free_list(files, nfiles);
	return t;
}

/* --fix-time-limit: the accepted submissions with a generous limit, the
 * limit from the slowest (ac_to_time_limit, time_resolution), the TLE
 * submissions with limit x time_limit_to_tle (they must still be TLE),
 * then the limit written into the package. */
static int cli_fix_time_limit(struct cli_verify *v, const char *dir)
{
	struct ac_problem *p;
	char err[1024];
	unsigned n = 0, bad = 0, ntle = 0;
	double slow, tl, probe;

	if (ac_problem_load(dir, &p, err, sizeof(err)) < 0) {
		printf("BROKEN  %s: %s\n", dir, err);
		v->mismatches++;
		return -1;
	}
	probe = fmax(10.0, p->time_limit_s * 2);
	slow = cli_kind_times(v, p, "accepted", AC_V_AC, probe, false, &n,
	                      &bad);
	if (n == 0 || bad) {
		printf("TIME    %s: %s\n", p->id,
		       n ? "an accepted submission fails with a generous "
		           "limit: no time limit written"
		         : "no accepted submission to time");
		v->mismatches++;
		ac_problem_free(p);
		return -1;
	}
	tl = ac_time_limit_from(p, slow);
	cli_kind_times(v, p, "time_limit_exceeded", AC_V_TLE,
	               tl * p->time_limit_to_tle, true, &ntle, &bad);
	if (bad) {
		printf("TIME    %s: a time_limit_exceeded submission runs "
		       "within %g s x time_limit_to_tle %g: no time limit "
		       "written\n",
		       p->id, tl, p->time_limit_to_tle);
		v->mismatches++;
		ac_problem_free(p);
		return -1;
	}
	if (ac_problem_write_time_limit(p, tl, err, sizeof(err)) < 0) {
		printf("TIME    %s: %s\n", p->id, err);
		v->mismatches++;
		ac_problem_free(p);
		return -1;
	}
	printf("TIME    %s: slowest accepted run %.3f s x %g -> time limit "
	       "%g s (was %g s; %u TLE submissions checked at x %g)\n",
	       p->id, slow, p->ac_to_time_limit, tl, p->time_limit_s, ntle,
	       p->time_limit_to_tle);
	ac_problem_free(p);
	return 0;
}

/* problem import SOURCE DIR: what could not be carried over on stdout;
 * 0 when DIR loads. */
static int cli_import(const char *src, const char *dest)
{
	char err[1024] = "";
	int r = ac_import(src, dest, stdout, err, sizeof(err));

	if (r < 0)
		fprintf(stderr, "algocode: import: %s\n", err);
	return r < 0 ? 1 : 0;
}

static int cli_verify(const struct cli_opts *o)
{
	struct ac_core core;
	struct ac_judge_ctx jctx;
	struct cli_verify v = {.core = &core, .jctx = &jctx};

	if (o->nargs == 3 && strcmp(o->args[0], "import") == 0)
		return cli_import(o->args[1], o->args[2]);
	if (o->nargs < 2 || strcmp(o->args[0], "verify") != 0) {
		fprintf(stderr, "Usage: algocode problem verify [-c FILE] "
		                "[--fix-time-limit] DIR...\n"
		                "       algocode problem import SOURCE DIR\n");
		return 2;
	}
	if (cli_core(o, &core, AC_NEED_SANDBOX | AC_NEED_LANGS) < 0)
		return 1;
	if (cli_judge_ctx(&core, &jctx) < 0) {
		ac_core_fini(&core);
		return 1;
	}
	for (int i = 1; i < o->nargs; i++)
		if (!o->fix_time_limit ||
		    cli_fix_time_limit(&v, o->args[i]) == 0)
			cli_verify_one(&v, o->args[i]);
	printf("%u submissions judged, %u mismatches\n", v.checked,
	       v.mismatches);
	ac_judge_ctx_fini(&jctx);
	ac_core_fini(&core);
	return v.mismatches ? 1 : 0;
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
	if (strcmp(cmd, "submit") == 0) /* its own options: submit.c */
		return ac_submit_main(argc - 1, argv + 1);
	if (strcmp(cmd, "check-config") == 0) /* check_config.c */
		return ac_check_config_main(argc - 1, argv + 1);
	if (strcmp(cmd, "settings") == 0)
		return ac_settings_main(argc - 1, argv + 1);
	if (cli_parse(argc - 1, argv + 1, &o) < 0) {
		free(o.overrides);
		return 2;
	}
	if (strcmp(cmd, "serve") == 0)
		r = cli_serve(&o);
	else if (strcmp(cmd, "judge") == 0)
		r = cli_judge(&o);
	else if (strcmp(cmd, "run") == 0)
		r = cli_run(&o);
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
