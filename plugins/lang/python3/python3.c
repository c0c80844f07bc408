/* lang/python3: Python 3 with the system CPython.
 *
 * Settings (group `lang.python3`):
 *   interpreter  absolute path (default /usr/bin/python3, never a PATH
 *                shim such as pyenv's); the sandbox must show it at the
 *                same path (it binds /usr read-only).  When it does not
 *                exist init returns -ENOPKG and the core serves the other
 *                languages.
 *   time_multiplier, memory_multiplier  (default 1).
 *
 * Compile: `python3 -I -m py_compile main.py`, so that a syntax error is a
 * Compilation Error with Python's message (a submission of several files:
 * every *.py).  Run: `python3 -E -s main.py` (PYTHON* variables and the
 * user site are ignored; the script's directory, /box, is searched, so
 * that the other files of a submission can be imported).  A run that dies
 * with MemoryError is reported as Memory Limit Exceeded (classify).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <algocode/plugin.h>

#include "../common/lang_common.h"

#define PY_DEFAULT "/usr/bin/python3"
/* CPython starts no threads of its own; a program may use a few. */
#define PY_RUN_PROCESSES 8

struct py_state {
	const struct ac_host *host;
	struct ac_plugin_ctx *ctx;
	struct ac_lang_info info;
	char *python;
	const char *compile_argv[6];
	const char *run_argv[5];
	const char *envp[6];
	char version[64];
};

static const struct ac_lang_info *py_info(void *state)
{
	struct py_state *st = state;

	return &st->info;
}

/* MemoryError ends the traceback (possibly chained: "MemoryError" or
 * "MemoryError: ..." on a line of its own). */
static enum ac_run_hint py_classify(void *state, const struct ac_run_report *r,
                                    const char *head, size_t len)
{
	const char *p = head, *end = head + len;

	(void)state;
	if (!r->exited || r->exit_code != 1)
		return AC_HINT_NONE;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (l >= 11 && memcmp(p, "MemoryError", 11) == 0 &&
		    (l == 11 || p[11] == ':'))
			return AC_HINT_MEMORY;
		p += l + 1;
	}
	return AC_HINT_NONE;
}

static void py_fini(void *state)
{
	struct py_state *st = state;

	if (!st)
		return;
	free(st->python);
	free(st);
}

static int py_setup(struct py_state *st)
{
	struct ac_lang_info *in = &st->info;
	const char *argv[3];
	char out[48];
	int ret;

	ret = pu_conf_str(st->host, st->ctx, "interpreter", PY_DEFAULT,
	                  &st->python);
	if (ret == 0)
		ret = lc_check_tool(st->host, st->ctx,
		                    "lang.python3.interpreter", st->python);
	if (ret == 0)
		ret = lc_conf_multipliers(st->host, st->ctx, in);
	if (ret < 0)
		return ret;
	argv[0] = st->python;
	argv[1] = "--version";
	argv[2] = NULL;
	ret = lc_query(argv, true, out, sizeof(out));
	if (ret < 0 || strncmp(out, "Python 3", 8) != 0) {
		pu_log(st, AC_LOG_ERROR,
		       "%s --version: %s: is it a working Python 3?",
		       st->python, ret < 0 ? strerror(-ret) : out);
		return ret < 0 ? ret : -EINVAL;
	}
	snprintf(st->version, sizeof(st->version), "%s", out);
	st->compile_argv[0] = st->python;
	st->compile_argv[1] = "-I";
	st->compile_argv[2] = "-m";
	st->compile_argv[3] = "py_compile";
	st->compile_argv[4] = "main.py";
	st->compile_argv[5] = NULL;
	st->run_argv[0] = st->python;
	st->run_argv[1] = "-E";
	st->run_argv[2] = "-s";
	st->run_argv[3] = "main.py";
	st->run_argv[4] = NULL;
	lc_base_env(st->envp);
	st->envp[4] = "PYTHONIOENCODING=utf-8";
	st->envp[5] = NULL;
	lc_set_info(in, "python3", "Python 3 (CPython)", "main.py",
	            st->compile_argv, st->run_argv, st->envp);
	in->compile_limits = lc_compile_limits(10, 20, 256, 64, 8, 64);
	in->run_processes = PY_RUN_PROCESSES;
	in->version = st->version;
	pu_log(st, AC_LOG_DEBUG, "%s (%s)", st->version, st->python);
	return 0;
}

PU_DEFINE_INIT(py_init, struct py_state, py_setup, py_fini)

static const struct ac_lang_ops py_ops = {
        .init = py_init,
        .fini = py_fini,
        .info = py_info,
        .classify = py_classify,
};

static const struct ac_setting py_settings[] = {
        AC_SET_STRING("interpreter", PY_DEFAULT,
                      "the Python 3 interpreter (absolute path); missing: "
                      "the language is skipped"),
        LC_MULTIPLIER_SETTINGS,
        AC_SETTINGS_END,
};

AC_PLUGIN_DEFINE_SETTINGS(AC_KIND_LANG, "python3",
                          "Python 3 run by the system CPython", PACKAGE_VERSION,
                          py_ops, py_settings);
