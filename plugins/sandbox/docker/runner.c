/* sandbox/docker runner: a tiny static program the plugin ships inside
 * itself and binds read-only at /.algocode/runner in every container.
 *
 *   runner init
 *       the container's main process (pid 1, root inside the container):
 *       drops every capability and reaps orphans forever.
 *   runner run UID GID CPU_S FSIZE_KB STACK_KB NOFILE NENV ENV... -- ARGV...
 *       started through the exec API as root inside the container with
 *       CAP_SETUID, CAP_SETGID and CAP_SETPCAP only.  Waits
 *       for one byte on stdin (the judge has moved it into the run's
 *       cgroups by then), forks the program, which sets its rlimits,
 *       drops every capability (bounding set included), becomes UID:GID,
 *       chdir("/box") and execs ARGV with exactly ENV; the rest of stdin
 *       is the program's.  When the program ends, the runner writes its
 *       status to /.algocode/run/status (a root-only tmpfs the program
 *       cannot reach): "exit N", "signal N" or "noexec ERRNO".
 * Everything the program left behind is killed by the judge afterwards
 * (the run's cgroup).  Both modes blank their command line in /proc
 * (hide_cmdline).  No stdio: only system calls.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define STATUS_PATH "/.algocode/run/status"

static unsigned long long num(const char *s)
{
	return strtoull(s, NULL, 10);
}

static void put_status(int fd, const char *what, long v)
{
	char b[64], d[24];
	size_t n = strlen(what), k = 0;
	unsigned long u = v < 0 ? (unsigned long)-v : (unsigned long)v;

	memcpy(b, what, n);
	b[n++] = ' ';
	if (v < 0)
		b[n++] = '-';
	do {
		d[k++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (k)
		b[n++] = d[--k];
	b[n++] = '\n';
	if (write(fd, b, n) < 0)
		_exit(121);
}

static void lim(int res, unsigned long long v)
{
	struct rlimit rl = {v, v};

	setrlimit(res, &rl);
}

/* Blank our command line in /proc/<pid>/cmdline (the program could read
 * its parent's: the run's environment and argv): the strings are moved to
 * the heap (never freed) and the argument area is zeroed; where
 * CAP_SYS_RESOURCE is available it is also made empty (PR_SET_MM). */
static char **hide_cmdline(int argc, char **argv)
{
	char *start = argv[0], *end = argv[argc - 1] + strlen(argv[argc - 1]);
	size_t len = (size_t)(end - start) + 1;
	char *keep = malloc(len);
	char **nv = malloc(((size_t)argc + 1) * sizeof(*nv));

	if (!keep || !nv)
		return argv;
	memcpy(keep, start, len);
	for (int i = 0; i < argc; i++)
		nv[i] = keep + (argv[i] - start);
	nv[argc] = NULL;
	memset(start, 0, len);
	prctl(PR_SET_MM, PR_SET_MM_ARG_START, (unsigned long)end, 0, 0);
	return nv;
}

/* Drop every capability, the bounding set included. */
static int drop_caps(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	for (int i = 0; i <= 63; i++)
		if (prctl(PR_CAPBSET_READ, i, 0, 0, 0) == 1 &&
		    prctl(PR_CAPBSET_DROP, i, 0, 0, 0) < 0)
			return -1;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	memset(d, 0, sizeof(d));
	return (int)syscall(SYS_capset, &h, d);
}

static int do_init(void)
{
	sigset_t set;

	drop_caps();

	sigfillset(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (;;) {
		siginfo_t si;

		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		sigwaitinfo(&set, &si);
	}
	return 0;
}

static int do_run(int argc, char **argv)
{
	uid_t uid;
	gid_t gid;
	unsigned long long cpu_s, fsize_kb, stack_kb, nofile;
	int nenv, i, fd, st;
	char **envp, **pargv, go;
	pid_t pid;

	if (argc < 10)
		return 120;
	uid = (uid_t)num(argv[2]);
	gid = (gid_t)num(argv[3]);
	cpu_s = num(argv[4]);
	fsize_kb = num(argv[5]);
	stack_kb = num(argv[6]);
	nofile = num(argv[7]);
	nenv = (int)num(argv[8]);
	if (uid == 0 || gid == 0 || nenv < 0 || 9 + nenv >= argc ||
	    strcmp(argv[9 + nenv], "--") != 0 || 10 + nenv >= argc)
		return 120;
	envp = argv + 9;
	argv[9 + nenv] = NULL;
	pargv = argv + 10 + nenv;
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	fd = open(STATUS_PATH, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return 122;
	/* The judge's go: the run's cgroups are ready. */
	for (;;) {
		ssize_t n = read(0, &go, 1);

		if (n == 1)
			break;
		if (n == 0 || errno != EINTR)
			return 123;
	}
	pid = fork();
	if (pid < 0) {
		put_status(fd, "nofork", errno);
		return 0;
	}
	if (pid == 0) {
		int ofd;

		lim(RLIMIT_CORE, 0);
		lim(RLIMIT_CPU, cpu_s);
		lim(RLIMIT_FSIZE, fsize_kb * 1024);
		lim(RLIMIT_STACK, stack_kb ? stack_kb * 1024 : RLIM_INFINITY);
		lim(RLIMIT_NOFILE, nofile);
		ofd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
		if (ofd >= 0) {
			if (write(ofd, "1000", 4) < 0) {
				/* not fatal */
			}
			close(ofd);
		}
		setsid();
		if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0)
			goto fail;
		/* The bounding set first (needs CAP_SETPCAP), then the
		 * uid (CAP_SETUID; clears the permitted and effective
		 * sets), then whatever is left. */
		for (i = 0; i <= 63; i++)
			if (prctl(PR_CAPBSET_DROP, i, 0, 0, 0) < 0 &&
			    errno != EINVAL)
				goto fail;
		if (setresuid(uid, uid, uid) < 0 || drop_caps() < 0)
			goto fail;
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			goto fail;
		if (chdir("/box") < 0)
			goto fail;
		syscall(SYS_close_range, 3, ~0U, 0);
		execve(pargv[0], pargv, envp);
	fail:
		put_status(fd, "noexec", errno);
		_exit(127);
	}
	close(0);
	close(1);
	close(2);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 124;
	/* A failed setup already wrote "noexec". */
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127 &&
	    lseek(fd, 0, SEEK_CUR) > 0)
		return 0;
	if (WIFSIGNALED(st))
		put_status(fd, "signal", WTERMSIG(st));
	else
		put_status(fd, "exit", WEXITSTATUS(st));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 1)
		argv = hide_cmdline(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "init") == 0)
		return do_init();
	if (argc >= 2 && strcmp(argv[1], "run") == 0)
		return do_run(argc, argv);
	return 120;
}
