/* Algocode plugin ABI.
 *
 * A plugin is a shared object that exports exactly one symbol,
 * `algocode_plugin`, a const struct ac_plugin pointing at the operations
 * table of its kind.  The core checks `abi` before it reads anything else,
 * loads with RTLD_NOW|RTLD_LOCAL and never exports symbols to plugins:
 * everything a plugin may call in the core is in struct ac_host.
 *
 * Conventions: functions return 0 or a negative errno value.  Strings passed
 * to a plugin are borrowed for the duration of the call unless said
 * otherwise; strings a plugin returns through `char **` are malloc'ed and
 * owned by the caller (free()).  Plugin state lives behind the opaque
 * `void *state` returned by init(); plugins keep no globals.
 */
#ifndef ALGOCODE_PLUGIN_H
#define ALGOCODE_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI, major and minor.  AC_ABI_VERSION (the major) changes when a
 * structure in this header changes in a way a plugin built before cannot
 * follow (a member moved, removed, or changed meaning): the loader refuses
 * a plugin of another major.  A member appended at the END of an
 * operations table or of struct ac_host only bumps AC_ABI_MINOR: a plugin
 * records the minor and the size of the operations table it was built
 * with, and the loader hands the core a table in which the members that
 * plugin did not know are NULL.  So every member appended that way is
 * optional (the core checks it for NULL), and a plugin built against an
 * older minor keeps loading; one built against a newer minor than the
 * core's is refused (it may call what the core does not have). */
#define AC_ABI_VERSION   3u
#define AC_ABI_MINOR     3u
#define AC_PLUGIN_SYMBOL "algocode_plugin"

#if defined(__GNUC__)
#define AC_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define AC_EXPORT       __attribute__((visibility("default")))
#else
#define AC_PRINTF(a, b)
#define AC_EXPORT
#endif

enum ac_plugin_kind {
	AC_KIND_TRANSPORT = 1,
	AC_KIND_STORE = 2,
	AC_KIND_SANDBOX = 3,
	AC_KIND_LANG = 4,
};

enum ac_log_level {
	AC_LOG_ERROR = 0,
	AC_LOG_WARN = 1,
	AC_LOG_INFO = 2,
	AC_LOG_DEBUG = 3,
};

struct event_base;
/* Opaque handle the core gives each loaded plugin instance. */
struct ac_plugin_ctx;

/* Services the core offers to plugins.  Filled by the core; const. */
struct ac_host {
	uint32_t abi; /* == AC_ABI_VERSION */
	/* Log a line prefixed with the plugin's kind and name. */
	void (*log)(struct ac_plugin_ctx *ctx, enum ac_log_level level,
	            const char *fmt, ...) AC_PRINTF(3, 4);
	/* The core's single event base (use only from the loop thread). */
	struct event_base *(*event_base)(struct ac_plugin_ctx *ctx);
	/* Settings of the plugin's group (e.g. `store.path` is "path" for the
	 * store).  Return 0, -ENOENT when unset, -EINVAL on a wrong type.
	 * Strings are copied into a malloc'ed buffer the caller frees. */
	int (*conf_string)(struct ac_plugin_ctx *ctx, const char *key,
	                   char **out);
	int (*conf_int)(struct ac_plugin_ctx *ctx, const char *key,
	                long long *out);
	int (*conf_bool)(struct ac_plugin_ctx *ctx, const char *key, bool *out);
	/* Run work(arg) on the worker pool, then done(arg) on the loop thread.
	 * done may be NULL. */
	int (*submit_work)(struct ac_plugin_ctx *ctx, void (*work)(void *arg),
	                   void (*done)(void *arg), void *arg);
	/* Run fn(arg) on the loop thread as soon as possible (thread-safe). */
	int (*run_on_loop)(struct ac_plugin_ctx *ctx, void (*fn)(void *arg),
	                   void *arg);
	/* Record a metric (served on GET /metrics as algocode_<name>):
	 * kind 'c' adds value to a counter, 'g' sets a gauge.  labels are
	 * Prometheus label pairs without braces (`queue="algocode.results"`)
	 * or NULL.  Thread-safe. */
	void (*metric)(struct ac_plugin_ctx *ctx, const char *name,
	               const char *labels, char kind, double value);
	/* Since ABI 3.2: a number setting (an integer, a float or a numeric
	 * string), as conf_int. */
	int (*conf_float)(struct ac_plugin_ctx *ctx, const char *key,
	                  double *out);
	/* Since ABI 3.3: the i-th (from 0) host directory that no sandboxed
	 * program may see: the judge's problem packages (their hidden tests
	 * and answers), work and state directories, resolved (realpath).  0
	 * with the path in buf, -ENOENT past the last, -ENAMETOOLONG.  A
	 * sandbox that shows host paths (sandbox/ns binds /usr and more)
	 * hides these where they lie below them. */
	int (*private_path)(struct ac_plugin_ctx *ctx, size_t i, char *buf,
	                    size_t len);
};

/* Every kind's operations table starts with these members. */
#define AC_PLUGIN_COMMON_OPS                                                   \
	/* Create the instance; *state is passed to every other op. */         \
	int (*init)(const struct ac_host *host, struct ac_plugin_ctx *ctx,     \
	            void **state);                                             \
	/* Release everything; state may be NULL after a failed init. */       \
	void (*fini)(void *state)

/* A plugin's settings, declared in its descriptor (since ABI 3.2): one
 * entry per key of its group (`lang.cpp.flags` is "flags" of lang/cpp).
 * The core checks every key a configuration sets in the group against
 * this table before the plugin's init runs: an unknown key, a value of
 * the wrong type or an integer out of [min, max] is an error naming the
 * file and line, and `algocode check-config` reports them all.  The same
 * table prints the settings tables of docs/configuration.md,
 * algocode.conf(5) and the sample fragments (`algocode settings`).
 * Through conf_string/conf_int/conf_bool/conf_float, a declared key that
 * is unset reads as its default when the table gives one. */
enum ac_setting_type {
	AC_SETTING_STRING = 1,
	AC_SETTING_INT = 2,   /* a 64-bit integer */
	AC_SETTING_BOOL = 3,  /* true or false */
	AC_SETTING_FLOAT = 4, /* a number: 1.5, 2, or a string "1.5" */
	AC_SETTING_LIST = 5,  /* a string or a list of strings */
	AC_SETTING_GROUP = 6, /* a group of free keys, not checked */
};

struct ac_setting {
	const char *name; /* the key; NULL ends the table */
	enum ac_setting_type type;
	/* The default as the configuration would write it ("64", "true",
	 * "/usr/bin/g++"): what an unset key reads as.  NULL: no default
	 * (the plugin decides; say how in help). */
	const char *def;
	/* The range, inclusive, of an AC_SETTING_INT or AC_SETTING_FLOAT;
	 * both 0: none. */
	double min, max;
	const char *help; /* one line, no trailing period */
};

/* The entries of a settings table, one per key, and its end:
 *     static const struct ac_setting my_settings[] = {
 *             AC_SET_STRING("path", NULL, "the database file"),
 *             AC_SET_INT("busy_ms", "5000", 0, 600000, "lock wait"),
 *             AC_SET_BOOL("check", "true", "check the file at start-up"),
 *             AC_SETTINGS_END,
 *     };
 * (def: the default as a configuration would write it, or NULL.) */
#define AC_SET_STRING(name, def, help)                                         \
	{                                                                      \
		(name), AC_SETTING_STRING, (def), 0, 0, (help)                 \
	}
#define AC_SET_INT(name, def, min, max, help)                                  \
	{                                                                      \
		(name), AC_SETTING_INT, (def), (double)(min), (double)(max),   \
		        (help)                                                 \
	}
#define AC_SET_FLOAT(name, def, min, max, help)                                \
	{                                                                      \
		(name), AC_SETTING_FLOAT, (def), (double)(min), (double)(max), \
		        (help)                                                 \
	}
#define AC_SET_BOOL(name, def, help)                                           \
	{                                                                      \
		(name), AC_SETTING_BOOL, (def), 0, 0, (help)                   \
	}
#define AC_SET_LIST(name, help)                                                \
	{                                                                      \
		(name), AC_SETTING_LIST, NULL, 0, 0, (help)                    \
	}
#define AC_SET_GROUP(name, help)                                               \
	{                                                                      \
		(name), AC_SETTING_GROUP, NULL, 0, 0, (help)                   \
	}
#define AC_SETTINGS_END                                                        \
	{                                                                      \
		NULL, (enum ac_setting_type)0, NULL, 0, 0, NULL                \
	}

struct ac_plugin {
	uint32_t abi; /* AC_ABI_VERSION the plugin was built against */
	enum ac_plugin_kind kind;
	const char *name;        /* matches the file name: <kind>/<name>.so */
	const char *description; /* one line */
	const void *ops;         /* struct ac_<kind>_ops */
	uint32_t abi_minor;      /* AC_ABI_MINOR it was built against */
	uint32_t ops_size;       /* sizeof the operations table it was built
	                          * with (see AC_ABI_MINOR) */
	const char *version;     /* its own version ("1.2.0"): check-env */
	/* Since ABI 3.2: its settings (NULL-name terminated), or NULL when it
	 * declares none, in which case its group is not checked (a warning
	 * says so).  A plugin without settings declares an empty table. */
	const struct ac_setting *settings;
};

/* The descriptor of a plugin, its one exported symbol:
 *     AC_PLUGIN_DEFINE(AC_KIND_LANG, "mylang", "My language", "1.0.0",
 *                      my_ops);
 * where my_ops is its struct ac_lang_ops (an object, not a pointer); with
 * a settings table (an array of struct ac_setting ending with {NULL}):
 *     AC_PLUGIN_DEFINE_SETTINGS(AC_KIND_LANG, "mylang", "My language",
 *                               "1.0.0", my_ops, my_settings);  */
/* The initializer of a descriptor: what AC_PLUGIN_DEFINE_SETTINGS exports,
 * and what the core gives a plugin-like object of its own (the sandbox
 * proxy of privilege separation). */
#define AC_PLUGIN_DESCRIPTOR(kind_, name_, description_, version_, ops_,       \
                             settings_)                                        \
	{                                                                      \
		.abi = AC_ABI_VERSION, .kind = (kind_), .name = (name_),       \
		.description = (description_), .ops = &(ops_),                 \
		.abi_minor = AC_ABI_MINOR, .ops_size = (uint32_t)sizeof(ops_), \
		.version = (version_), .settings = (settings_),                \
	}
#define AC_PLUGIN_DEFINE_SETTINGS(kind_, name_, description_, version_, ops_,  \
                                  settings_)                                   \
	AC_EXPORT const struct ac_plugin algocode_plugin =                     \
	        AC_PLUGIN_DESCRIPTOR(kind_, name_, description_, version_,     \
	                             ops_, settings_)
#define AC_PLUGIN_DEFINE(kind_, name_, description_, version_, ops_)           \
	AC_PLUGIN_DEFINE_SETTINGS(kind_, name_, description_, version_, ops_,  \
	                          NULL)

/* ------------------------------------------------------------------ */
/* Sandbox                                                              */

/* Limits of one run.  0 means "no limit" only where noted. */
struct ac_limits {
	uint64_t cpu_ms;    /* CPU time, user+sys, all threads and children */
	uint64_t wall_ms;   /* wall-clock time */
	uint64_t memory_kb; /* memory (cgroup); also RLIMIT_STACK if stack_kb==0
	                     */
	uint64_t stack_kb;  /* 0: as large as memory_kb */
	uint64_t stdout_kb; /* bytes kept of stdout; more is OLE */
	uint64_t stderr_kb; /* bytes kept of stderr; more is truncated */
	uint64_t fsize_kb;  /* largest file the program may write */
	uint32_t processes; /* processes+threads (pids controller) */
	uint32_t nofile;    /* open files; 0: 64 */
};

/* Additions a language declares for its compile or run step. */
struct ac_run_profile {
	/* System calls (libseccomp names, e.g. "clone3") allowed beyond the
	 * sandbox's default allow-list; NULL-terminated, may be NULL. */
	const char *const *syscalls;
	/* Host paths bound read-only at the same place inside the sandbox
	 * (e.g. "/etc/java-17-openjdk"); NULL-terminated, may be NULL. */
	const char *const *ro_paths;
};

struct ac_run_fds;

struct ac_run_spec {
	const char *const
	        *argv; /* argv[0] is an absolute path inside the sandbox */
	const char *const
	        *envp; /* NULL: a minimal PATH/HOME/LANG environment */
	/* Host directory bound writable at /box inside the sandbox and used as
	 * the working directory.  It holds only this run's files. */
	const char *box_dir;
	/* Host files.  stdin_path NULL: /dev/null.  The judge opens them itself
	 * (O_NOFOLLOW); they are never visible inside the sandbox.
	 * stdout_path/stderr_path NULL: discarded (still counted for OLE). */
	const char *stdin_path;
	const char *stdout_path;
	const char *stderr_path;
	struct ac_limits limits;
	/* What this run needs beyond the sandbox's defaults (a language's
	 * runtime: more system calls, more read-only paths); may be NULL. */
	const struct ac_run_profile *profile;
	/* Already open descriptors in place of box_dir and the three paths
	 * (privilege separation: the root sandbox helper receives them from
	 * the unprivileged judge and never resolves a path the judge chose).
	 * NULL: use the paths.  When set, the paths serve only in messages. */
	const struct ac_run_fds *fds;
};

/* See ac_run_spec.fds.  The sandbox neither closes nor keeps them. */
struct ac_run_fds {
	int box; /* the box directory (O_PATH or O_RDONLY|O_DIRECTORY) */
	int in;  /* stdin; -1: /dev/null */
	int out; /* stdout, opened for writing; -1: discarded */
	int err; /* stderr, opened for writing; -1: discarded */
	/* NULL, or one descriptor (O_PATH) per profile->ro_paths entry, in
	 * order: what to bind at that path.  The caller opened and checked
	 * them; a sandbox that can bind descriptors binds these instead of
	 * resolving the paths again (which a path swapped in between could
	 * redirect). */
	const int *ro;
};

struct ac_run_report {
	bool exited; /* exited normally; exit_code valid */
	int exit_code;
	int signal;      /* terminating signal, 0 if none */
	uint64_t cpu_us; /* user+sys of the whole run */
	uint64_t wall_us;
	uint64_t memory_kb;   /* peak */
	bool cpu_exceeded;    /* killed (or finished) over limits.cpu_ms */
	bool wall_exceeded;   /* killed at limits.wall_ms */
	bool oom_killed;      /* the memory controller acted */
	bool stdout_exceeded; /* more than limits.stdout_kb was written */
	bool stderr_exceeded;
	uint64_t stdout_bytes;
	/* Set (non-empty) when the sandbox itself failed: Internal Error. */
	char internal_error[256];
};

/* Receives one line of check-env output at a time. */
typedef void (*ac_line_cb)(void *arg, const char *what, bool enforced,
                           const char *detail);

struct ac_sandbox_ops {
	AC_PLUGIN_COMMON_OPS;
	/* Blocking; called from worker threads, possibly concurrently. */
	int (*run)(void *state, const struct ac_run_spec *spec,
	           struct ac_run_report *report);
	/* Report what this sandbox enforces on this machine. */
	int (*check_env)(void *state, ac_line_cb cb, void *arg);
	/* 0 when memory and process limits are enforceable here, else -ENOTSUP
	 * (the judge then refuses to run unless degraded mode is allowed). */
	int (*enforcing)(void *state);
};

/* ------------------------------------------------------------------ */
/* Language                                                              */

struct ac_lang_info {
	const char *name;        /* "cpp": the API's `lang` */
	const char *display;     /* "C++17 (g++)" */
	const char *source_file; /* file name of the source in the box:
	                            "main.cpp" */
	/* Compile command run in the box (argv, NULL-terminated); NULL when
	 * the language has no compile step. */
	const char *const *compile_argv;
	/* Run command (argv), inside the box after a successful compile. */
	const char *const *run_argv;
	/* Environment for compile and run (NULL: sandbox default). */
	const char *const *envp;
	struct ac_limits compile_limits;
	double time_multiplier;   /* applied to the problem's time limit */
	double memory_multiplier; /* applied to the problem's memory limit */
	uint32_t run_processes;   /* processes+threads a run may have */
	const char *version;      /* reported in results: "g++ 12.2.0" */
	/* Sandbox additions for the compile and the run step (may be NULL). */
	const struct ac_run_profile *compile_profile;
	const struct ac_run_profile *run_profile;
	/* Added to a run's memory limit after the multiplier: the fixed cost
	 * of a runtime that is not the program's (the JVM's); 0 for none. */
	uint64_t memory_extra_kb;
};

/* A language's reading of a failed run (see classify below). */
enum ac_run_hint {
	AC_HINT_NONE = 0,   /* no opinion: the run report decides */
	AC_HINT_MEMORY = 1, /* the runtime ran out of memory (Java's
	                     * OutOfMemoryError, Python's MemoryError): MLE */
};

struct ac_lang_ops {
	AC_PLUGIN_COMMON_OPS;
	const struct ac_lang_info *(*info)(void *state);
	/* Optional (may be NULL): called for a run that ended with a
	 * non-zero exit or a signal, with the first bytes of its stderr. */
	enum ac_run_hint (*classify)(void *state, const struct ac_run_report *r,
	                             const char *stderr_head, size_t len);
	/* Optional (may be NULL): the run command of one submission, when it
	 * depends on what the compile step left in the box or on the run's
	 * limits (Java: the class holding main, the heap size).  Called once
	 * after a successful compile (or a compile-cache hit), on a worker
	 * thread, with the host path of the box (its files come from
	 * untrusted code: never follow symlinks) and the limits every test
	 * runs with.  On 0, *argv is a NULL-terminated vector allocated as
	 * ONE block (free(*argv) frees the strings too).  -ENOEXEC: the
	 * submission cannot run (no main method...), msg says why and the
	 * verdict is Compilation Error; another negative errno: Internal
	 * Error with msg. */
	int (*run_argv)(void *state, const char *box_dir,
	                const struct ac_limits *limits, char ***argv, char *msg,
	                size_t msglen);
};

/* ------------------------------------------------------------------ */
/* Store (blocking: called only from worker threads)                     */

struct ac_submission {
	const char *id;
	const char *problem_id;
	const char *lang;
	const char *user_id;
	const char *code;
	size_t code_len;
	int64_t submitted_at; /* unix milliseconds */
	/* Since ABI 2: what the job needs besides the members above, kept so
	 * that a pending submission can be enqueued again (claim_pending).
	 * problem_hash may be NULL. */
	const char *problem_hash;
	bool all_tests;
};

/* A pending submission handed out by claim_pending.  Every string is
 * malloc'ed and owned by the caller, as is the array (free each member,
 * then the array). */
struct ac_pending {
	char *id, *problem_id, *problem_hash, *lang, *user_id;
	char *code; /* NUL-terminated, code_len bytes before the NUL */
	size_t code_len;
	int64_t submitted_at; /* unix ms */
	bool all_tests;
	/* How many times the submission was enqueued, this claim included
	 * (put_submission counts as the first). */
	unsigned attempts;
};

/* A user account.  Strings returned by get_user are malloc'ed; free them
 * with ac_user_clear-like code (free each member). */
struct ac_user {
	char *id;            /* opaque, unique */
	char *username;      /* unique */
	char *email;         /* unique, stored lower-case */
	char *password_hash; /* crypto_pwhash_str output */
	char *first_name;
	char *last_name;
	int64_t created_at; /* unix ms */
};

/* One submission listed by list_submissions.  Every string is malloc'ed
 * and owned by the caller, as is the array (free each member, then the
 * array). */
struct ac_submission_row {
	char *id, *problem_id, *lang;
	int64_t submitted_at; /* unix ms */
	char *result_json;    /* the result document; NULL while pending */
};

enum ac_user_key {
	AC_USER_BY_ID = 0,
	AC_USER_BY_USERNAME = 1,
	AC_USER_BY_EMAIL = 2,
};

struct ac_store_ops {
	AC_PLUGIN_COMMON_OPS;
	/* Insert a new submission; -EEXIST if the id is taken. */
	int (*put_submission)(void *state, const struct ac_submission *s);
	/* Store a result document; idempotent by submission id: a second
	 * result for the same id is ignored and returns 0. */
	int (*put_result)(void *state, const char *submission_id,
	                  const char *result_json);
	/* 0 and *result_json (malloc'ed) when finished; -ENOENT when the
	 * submission is unknown; -EAGAIN when it is known and pending.
	 * *owner (malloc'ed, may be NULL) receives the submitter's user id. */
	int (*get_result)(void *state, const char *submission_id,
	                  char **result_json, char **owner);
	/* Token bucket for user `key`: take one token if available.  Returns
	 * 0 when taken, -EAGAIN with *retry_after_ms set when empty. */
	int (*rate_take)(void *state, const char *key, double burst,
	                 double per_sec, int64_t now_ms,
	                 int64_t *retry_after_ms);

	/* Users and refresh tokens (the auth role).  These members may be
	 * NULL in a store without accounts; the auth role then refuses to
	 * start. */
	/* Insert; -EEXIST when the username or the e-mail is taken (checked
	 * atomically: of two concurrent inserts of one e-mail, one wins). */
	int (*put_user)(void *state, const struct ac_user *u);
	/* 0 and *out filled (malloc'ed members); -ENOENT when unknown. */
	int (*get_user)(void *state, enum ac_user_key by, const char *key,
	                struct ac_user *out);
	/* Remember a refresh token id (jti) of user_id, valid until
	 * expires_at (unix s). */
	int (*put_refresh)(void *state, const char *jti, const char *user_id,
	                   int64_t expires_at);
	/* Atomically consume a refresh token: 0 and *user_id (malloc'ed) when
	 * it was valid (it is now revoked: rotation); -ENOENT unknown,
	 * -EKEYREVOKED already used or revoked, -EKEYEXPIRED expired. */
	int (*use_refresh)(void *state, const char *jti, int64_t now,
	                   char **user_id);
	/* Revoke one token (jti != NULL) or every token of user_id. */
	int (*revoke_refresh)(void *state, const char *jti,
	                      const char *user_id);

	/* Since ABI 2: the outbox of the api role.  Claim up to `max`
	 * submissions that have no result and were last enqueued (by
	 * put_submission, whose time is submitted_at, or by an earlier
	 * claim) at or before `cutoff_ms`: each is marked enqueued at
	 * `now_ms` and its attempts counted, atomically, so that two api
	 * processes sharing the store never claim the same submission
	 * within one period.  Oldest submissions first.  0 with *out
	 * (malloc'ed array, may be NULL when *n is 0) and *n. */
	int (*claim_pending)(void *state, int64_t cutoff_ms, int64_t now_ms,
	                     size_t max, struct ac_pending **out, size_t *n);

	/* Since ABI 3.1; optional (NULL: the api answers GET
	 * /api/v1/submissions/ with 501).  The submissions of user_id (only
	 * those of problem_id when it is not NULL), newest first (by
	 * submitted_at, then id): `offset` skipped, at most `max` returned.
	 * 0 with *out (malloc'ed array, may be NULL when *n is 0), *n, and
	 * *total, the number of such submissions in all. */
	int (*list_submissions)(void *state, const char *user_id,
	                        const char *problem_id, size_t offset,
	                        size_t max, struct ac_submission_row **out,
	                        size_t *n, size_t *total);
};

/* ------------------------------------------------------------------ */
/* Transport (event-loop driven: called only on the loop thread)        */

struct ac_delivery; /* opaque, owned by the transport */

/* A job or result message; body is valid until ack/nack. */
typedef void (*ac_msg_cb)(void *arg, const char *body, size_t len,
                          struct ac_delivery *d);
/* Completion of a publish: 0 when the broker confirmed it. */
typedef void (*ac_done_cb)(void *arg, int status);

struct ac_transport_ops {
	AC_PLUGIN_COMMON_OPS;
	/* Publish a job on `algocode.jobs.<lang>`. */
	int (*publish_job)(void *state, const char *lang, const char *body,
	                   size_t len, ac_done_cb done, void *arg);
	/* Publish a result on `algocode.results`. */
	int (*publish_result)(void *state, const char *body, size_t len,
	                      ac_done_cb done, void *arg);
	/* Consume jobs of these languages (NULL-terminated), at most
	 * `prefetch` unacknowledged at a time. */
	int (*consume_jobs)(void *state, const char *const *langs,
	                    unsigned prefetch, ac_msg_cb cb, void *arg);
	int (*consume_results)(void *state, ac_msg_cb cb, void *arg);
	/* Settle a delivery.  requeue=false on nack dead-letters it. */
	void (*ack)(void *state, struct ac_delivery *d);
	void (*nack)(void *state, struct ac_delivery *d, bool requeue,
	             const char *reason);
	/* Since ABI 2; optional (NULL: the queues are durable).  true when
	 * queued messages do not outlive this process (the in-memory
	 * transport): the api role then enqueues every pending submission
	 * again at start-up, whatever its age. */
	bool (*volatile_queues)(void *state);
	/* Since ABI 3.3; optional (NULL: the api's readiness follows its
	 * last publish alone).  0 while a connection to the broker is up,
	 * else -errno (-ENOTCONN): GET /api/v1/common/ready/ says the
	 * transport is down without waiting for a publish to fail.  Called
	 * on the core's loop thread; cheap, never blocks. */
	int (*connected)(void *state);
};

#ifdef __cplusplus
}
#endif
#endif /* ALGOCODE_PLUGIN_H */
