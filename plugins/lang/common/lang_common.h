/* Helpers shared by the language plugins (header-only: each plugin is its
 * own shared object and keeps no globals).  Include after <algocode/plugin.h>.
 */
#ifndef AC_LANG_COMMON_H
#define AC_LANG_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LC_QUERY_TIMEOUT_MS 10000

/* 0 when path is an absolute, executable regular file; -ENOPKG when it does
 * not exist (the tool is not installed: the core skips the language);
 * another negative errno otherwise.  Logs why. */
static inline int lc_check_tool(const struct ac_host *host,
                                struct ac_plugin_ctx *ctx, const char *what,
                                const char *path)
{
	struct stat sb;

	if (path[0] != '/') {
		host->log(ctx, AC_LOG_ERROR,
		          "%s must be an absolute path (got \"%s\")", what,
		          path);
		return -EINVAL;
	}
	if (stat(path, &sb) < 0) {
		int err = errno;

		host->log(ctx, AC_LOG_WARN, "%s %s: %s", what, path,
		          strerror(err));
		return err == ENOENT ? -ENOPKG : -err;
	}
	if (!S_ISREG(sb.st_mode) || access(path, X_OK) < 0) {
		host->log(ctx, AC_LOG_ERROR, "%s %s is not an executable file",
		          what, path);
		return -EACCES;
	}
	return 0;
}

/* The two multiplier settings every language declares (its settings
 * table: the core checks the range). */
#define LC_MULTIPLIER_SETTINGS                                                 \
	{"time_multiplier",                                                    \
	 AC_SETTING_FLOAT,                                                     \
	 "1",                                                                  \
	 0.01,                                                                 \
	 100,                                                                  \
	 "the problem's time limit is multiplied by this for the language"},   \
	{                                                                      \
		"memory_multiplier", AC_SETTING_FLOAT, "1", 0.01, 100,         \
		        "the problem's memory limit is multiplied by this "    \
		        "for "                                                 \
		        "the language"                                         \
	}

/* A multiplier setting (a number, or a string "1.5"): its value or the
 * table's default; the core checked its range. */
static inline int lc_conf_multiplier(const struct ac_host *host,
                                     struct ac_plugin_ctx *ctx, const char *key,
                                     double *out)
{
	int r;

	*out = 1.0;
	r = host->conf_float(ctx, key, out);
	return r == -ENOENT ? 0 : r;
}

static inline int64_t lc_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Run argv (no shell, stdin /dev/null, stderr also captured when
 * want_stderr) and keep the first line of its output in buf (printable
 * ASCII only).  0 when it exited 0 and printed something. */
static inline int lc_query(const char *const *argv, bool want_stderr, char *buf,
                           size_t size)
{
	static const char *const envp[] = {"PATH=/usr/bin:/bin", "LANG=C",
	                                   NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t mask, def;
	int fds[2] = {-1, -1};
	pid_t pid = -1;
	size_t n = 0;
	int64_t deadline = lc_mono_ms() + LC_QUERY_TIMEOUT_MS;
	int ret, status = 0;

	buf[0] = '\0';
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	sigemptyset(&mask);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	sigaddset(&def, SIGCHLD);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGHUP);
	posix_spawnattr_setsigmask(&attr, &mask);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	                                        POSIX_SPAWN_SETSIGDEF);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	if (want_stderr)
		posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	else
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY,
		                                 0);
	ret = -posix_spawn(&pid, argv[0], &fa, &attr, (char *const *)argv,
	                   (char *const *)envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(fds[1]);
	if (ret < 0) {
		pid = -1;
		goto out;
	}
	for (;;) {
		struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
		int64_t left = deadline - lc_mono_ms();
		ssize_t r;

		if (left <= 0) {
			ret = -ETIMEDOUT;
			kill(pid, SIGKILL);
			break;
		}
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			kill(pid, SIGKILL);
			break;
		}
		if (r == 0)
			continue;
		if (n + 1 >= size) {
			char sink[256];

			r = read(fds[0], sink, sizeof(sink));
		} else {
			r = read(fds[0], buf + n, size - 1 - n);
			if (r > 0)
				n += (size_t)r;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
	}
	buf[n] = '\0';
out:
	if (pid > 0) {
		while (waitpid(pid, &status, 0) < 0) {
			if (errno == EINTR)
				continue;
			status = 0;
			break;
		}
		if (ret == 0 &&
		    !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
			ret = -EIO;
	}
	close(fds[0]);
	buf[strcspn(buf, "\r\n")] = '\0';
	for (char *p = buf; *p; p++) {
		if (*p < 0x20 || *p > 0x7e)
			*p = '?';
	}
	if (ret == 0 && !buf[0])
		ret = -EIO;
	return ret;
}

#endif /* AC_LANG_COMMON_H */
