/* `algocode check-config` (collectd's -t): load the configuration, open
 * the plugins it names without starting them, check every setting against
 * the declared tables and print every error.  `algocode settings` prints
 * those tables (docs/configuration.md, algocode.conf(5), the fragments of
 * conf.d/examples/). */
#include "check_config.h"

#include "config.h"
#include "loader.h"
#include "log.h"
#include "settings.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef AC_DEFAULT_CONFIG
#define AC_DEFAULT_CONFIG "/etc/algocode/single-node.conf"
#endif

const char ac_check_config_usage[] =
        "Usage: algocode check-config [-c FILE] [-o path=value]...\n"
        "\n"
        "Load the configuration (the file, its include_dir, the overrides),\n"
        "open the plugins it names without starting them, and check every\n"
        "setting: an unknown setting, a value of the wrong type or out of\n"
        "range is an error, printed as FILE:LINE: SETTING: REASON (or\n"
        "-o path=value: ...).  Prints `ok` and exits 0 when there is none;\n"
        "exits 1 otherwise.  Nothing is started: no broker, no store, no\n"
        "sandbox.  serve and the other commands refuse to start on the same\n"
        "errors.\n";

const char ac_settings_usage[] =
        "Usage: algocode settings [--format markdown|man|conf] "
        "[--plugins-dir DIR]\n"
        "                         [core | KIND/NAME]...\n"
        "\n"
        "Print the settings the core and the plugins declare: a Markdown\n"
        "table (the default; docs/configuration.md), man page text\n"
        "(algocode.conf(5)) or, for a plugin, a commented sample fragment\n"
        "(conf.d/examples/).  Without an argument: the core, then every\n"
        "plugin of DIR (default " AC_PLUGIN_DIR ") in kind and name order.\n";

static const enum ac_plugin_kind cc_kinds[] = {
        AC_KIND_TRANSPORT,
        AC_KIND_STORE,
        AC_KIND_SANDBOX,
        AC_KIND_LANG,
};

/* A plugin name becomes part of a path: a short identifier only. */
static bool cc_valid_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '_' ||
		      name[i] == '-'))
			return false;
	return true;
}

struct cc_state {
	unsigned nerr;
};

static void cc_error_cb(void *arg, const char *msg)
{
	struct cc_state *st = arg;

	st->nerr++;
	fprintf(stderr, "%s\n", msg);
}

/* Open <dir>/<kind>/<name>.so and check its group.  A language that is not
 * installed is a warning, as serve skips it. */
static void cc_plugin(struct cc_state *st, const struct ac_config *cfg,
                      const char *dir, enum ac_plugin_kind kind,
                      const char *name, const char *group)
{
	char path[4096], err[1024];
	struct ac_loaded *p;
	int r;

	if (!cc_valid_name(name)) {
		fprintf(stderr,
		        "%s plugin name \"%s\" is not valid (lowercase "
		        "letters, digits, '-' and '_')\n",
		        ac_kind_name(kind), name);
		st->nerr++;
		return;
	}
	snprintf(path, sizeof(path), "%s/%s/%s.so", dir, ac_kind_name(kind),
	         name);
	r = ac_plugin_open(path, kind, name, &p, err, sizeof(err));
	if (r == -ENOENT && kind == AC_KIND_LANG) {
		log_warn("%s: language not installed here: %s is not checked",
		         err, group);
		return;
	}
	if (r < 0) {
		fprintf(stderr, "%s\n", err);
		st->nerr++;
		return;
	}
	ac_plugin_check_settings(cfg, p, group, cc_error_cb, st);
	ac_plugin_unload(p);
}

struct cc_unused {
	struct cc_state *st;
	const struct ac_config *cfg;
	const char *dir;
};

/* A lang.NAME group of a language not in lang.plugins: its plugin's table
 * checks it when installed; else it is an error (a typo). */
static void cc_unused_lang_cb(void *arg, const char *name, const char *origin)
{
	struct cc_unused *u = arg;
	char path[4096], group[128];

	snprintf(path, sizeof(path), "%s/lang/%s.so", u->dir, name);
	if (!cc_valid_name(name) || access(path, F_OK) < 0) {
		fprintf(stderr,
		        "%s: lang.%s: no language %s (not in lang.plugins, and "
		        "no plugin %s)\n",
		        origin, name, name, path);
		u->st->nerr++;
		return;
	}
	snprintf(group, sizeof(group), "lang.%s", name);
	cc_plugin(u->st, u->cfg, u->dir, AC_KIND_LANG, name, group);
}

int ac_check_config_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"config", required_argument, NULL, 'c'},
	        {"option", required_argument, NULL, 'o'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *path = NULL, **ov, *dir, **langs;
	struct cc_state st = {0};
	struct ac_config *cfg = NULL;
	size_t nov = 0;
	char err[1024];
	int c, r;

	ov = calloc((size_t)argc + 1, sizeof(*ov));
	if (!ov)
		return 2;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'o':
			ov[nov++] = optarg;
			break;
		case 'h':
			fputs(ac_check_config_usage, stdout);
			free(ov);
			return 0;
		default:
			fputs("Try 'algocode check-config --help'.\n", stderr);
			free(ov);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr,
		        "algocode check-config: unexpected argument %s\n",
		        argv[optind]);
		free(ov);
		return 2;
	}
	if (!path)
		path = AC_DEFAULT_CONFIG;
	r = ac_config_load(path, ov, nov, &cfg, err, sizeof(err));
	free(ov);
	if (r < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	ac_settings_check_core(cfg, cc_error_cb, &st);
	dir = ac_config_string(cfg, "plugins.dir", AC_PLUGIN_DIR);
	for (size_t i = 0; i < 3; i++) {
		char setting[64];
		const char *name;
		const char *group = ac_kind_name(cc_kinds[i]);

		snprintf(setting, sizeof(setting), "%s.plugin", group);
		if (ac_config_get_string(cfg, setting, &name, NULL, 0) == 0)
			cc_plugin(&st, cfg, dir, cc_kinds[i], name, group);
	}
	langs = ac_config_string_list(cfg, "lang.plugins");
	for (size_t i = 0; langs && langs[i]; i++) {
		char group[128];

		snprintf(group, sizeof(group), "lang.%s", langs[i]);
		cc_plugin(&st, cfg, dir, AC_KIND_LANG, langs[i], group);
	}
	free(langs);
	{
		struct cc_unused u = {.st = &st, .cfg = cfg, .dir = dir};

		ac_settings_unused_langs(cfg, cc_unused_lang_cb, &u);
	}
	{
		const char *lvl = ac_config_string(cfg, "log.level", "info");
		enum ac_log_level level;

		if (ac_log_level_parse(lvl, &level) < 0) {
			const config_setting_t *s =
			        ac_config_lookup(cfg, "log.level");
			char where[640];

			ac_config_origin(cfg, s, where, sizeof(where));
			fprintf(stderr,
			        "%s: log.level: \"%s\" is not one of error, "
			        "warn, info, debug\n",
			        where, lvl);
			st.nerr++;
		}
	}
	ac_config_free(cfg);
	if (st.nerr) {
		fprintf(stderr, "%s: %u error%s\n", path, st.nerr,
		        st.nerr > 1 ? "s" : "");
		return 1;
	}
	puts("ok");
	return 0;
}

/* ------------------------------------------------------------ settings */

static bool cc_is_so(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 3 && strcmp(name + n - 3, ".so") == 0;
}

static int cc_print_plugin(const char *format, const char *dir,
                           enum ac_plugin_kind kind, const char *name)
{
	char path[4096], err[1024], what[160];
	const struct ac_setting *table;
	struct ac_loaded *p;
	int r;

	snprintf(path, sizeof(path), "%s/%s/%s.so", dir, ac_kind_name(kind),
	         name);
	r = ac_plugin_open(path, kind, name, &p, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "algocode settings: %s\n", err);
		return r;
	}
	snprintf(what, sizeof(what), "%s/%s", ac_kind_name(kind), name);
	table = ac_plugin_settings(p->desc);
	if (!table) {
		fprintf(stderr,
		        "algocode settings: %s declares no settings table\n",
		        what);
		ac_plugin_unload(p);
		return -ENOENT;
	}
	r = ac_settings_print(stdout, format, what, p->desc->description,
	                      table);
	ac_plugin_unload(p);
	return r;
}

static int cc_print_what(const char *format, const char *dir, const char *what)
{
	const char *slash = strchr(what, '/');

	if (strcmp(what, "core") == 0) {
		if (strcmp(format, "conf") == 0) {
			fputs("algocode settings: --format conf is for a "
			      "plugin (KIND/NAME)\n",
			      stderr);
			return -EINVAL;
		}
		return ac_settings_print(stdout, format, "core", NULL,
		                         ac_core_settings);
	}
	for (size_t i = 0; slash && i < 4; i++) {
		const char *kind = ac_kind_name(cc_kinds[i]);

		if ((size_t)(slash - what) == strlen(kind) &&
		    strncmp(what, kind, strlen(kind)) == 0 &&
		    cc_valid_name(slash + 1))
			return cc_print_plugin(format, dir, cc_kinds[i],
			                       slash + 1);
	}
	fprintf(stderr,
	        "algocode settings: \"%s\" is neither core nor KIND/NAME "
	        "(transport/nats, lang/cpp ...)\n",
	        what);
	return -EINVAL;
}

int ac_settings_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"format", required_argument, NULL, 'f'},
	        {"plugins-dir", required_argument, NULL, 'd'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *format = "markdown", *dir = AC_PLUGIN_DIR;
	int c, r = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'h':
			fputs(ac_settings_usage, stdout);
			return 0;
		default:
			fputs("Try 'algocode settings --help'.\n", stderr);
			return 2;
		}
	}
	if (strcmp(format, "markdown") && strcmp(format, "man") &&
	    strcmp(format, "conf")) {
		fprintf(stderr,
		        "algocode settings: --format is markdown, man or conf, "
		        "not %s\n",
		        format);
		return 2;
	}
	if (optind < argc) {
		for (int i = optind; i < argc && r == 0; i++)
			r = cc_print_what(format, dir, argv[i]);
		return r < 0 ? 1 : 0;
	}
	if (strcmp(format, "conf") != 0)
		r = ac_settings_print(stdout, format, "core", NULL,
		                      ac_core_settings);
	for (size_t k = 0; k < 4 && r == 0; k++) {
		char sub[4096], **names = NULL;
		size_t n = 0;

		snprintf(sub, sizeof(sub), "%s/%s", dir,
		         ac_kind_name(cc_kinds[k]));
		if (ac_list_dir(sub, cc_is_so, &names, &n) < 0)
			continue;
		for (size_t i = 0; i < n && r == 0; i++) {
			names[i][strlen(names[i]) - 3] = '\0';
			fputc('\n', stdout);
			r = cc_print_plugin(format, dir, cc_kinds[k], names[i]);
		}
		ac_names_free(names);
	}
	return r < 0 ? 1 : 0;
}
