/* The command line of design.md: usage, options, serve, check-env, token
 * and the dispatch; judge and run are cli_judge.c, problem verify and
 * import cli_problem.c (cli_int.h). */
#include "cli_int.h"

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

int cli_core(const struct cli_opts *o, struct ac_core *core, unsigned need)
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
