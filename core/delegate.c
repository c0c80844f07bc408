/* cgroup v2 delegation by systemd: see delegate.h. */
#include "delegate.h"

#include "config.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#define DG_ROOT "/sys/fs/cgroup"

/* This process's cgroup v2 path ("0::/a/b"), or -ENOENT. */
static int dg_own(char *buf, size_t len)
{
	char line[PATH_MAX + 8];
	FILE *f = fopen("/proc/self/cgroup", "re");
	int r = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::/", 4) != 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (strlen(line + 3) < len) {
			snprintf(buf, len, "%s", line + 3);
			r = 0;
		}
		break;
	}
	fclose(f);
	return r;
}

static int dg_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

int ac_cg_delegate(struct ac_config *cfg)
{
	char own[PATH_MAX / 2], path[PATH_MAX], ov[PATH_MAX], err[256], x[8];
	const char *sbx = ac_config_string(cfg, "sandbox.plugin", NULL);
	struct statfs sf;
	ssize_t n;
	int r;

	if (geteuid() != 0 || !getenv("INVOCATION_ID") || !sbx ||
	    strcmp(sbx, "ns") != 0 ||
	    ac_config_string(cfg, "sandbox.cgroup_root", NULL))
		return 0;
	if (statfs(DG_ROOT, &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC)
		return 0;
	if (dg_own(own, sizeof(own)) < 0 || strcmp(own, "/") == 0)
		return 0;
	snprintf(path, sizeof(path), DG_ROOT "%s", own);
	n = getxattr(path, "trusted.delegate", x, sizeof(x) - 1);
	if (n <= 0 || x[0] != '1')
		return 0; /* not delegated: the sandbox's own fallback */
	snprintf(path, sizeof(path), DG_ROOT "%s/main", own);
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		log_warn("cgroup %s: mkdir main: %s; the sandbox makes its "
		         "cgroups outside the delegated subtree",
		         own, strerror(errno));
		return 0;
	}
	snprintf(path, sizeof(path), DG_ROOT "%s/main/cgroup.procs", own);
	if ((r = dg_write(path, "0")) < 0) {
		log_warn("cgroup %s: cannot move into main: %s; the sandbox "
		         "makes its cgroups outside the delegated subtree",
		         own, strerror(-r));
		return 0;
	}
	snprintf(ov, sizeof(ov), "sandbox.cgroup_root=\"%s/algocode\"", own);
	if (ac_config_override(cfg, ov, err, sizeof(err)) < 0) {
		log_warn("cgroup %s: %s", own, err);
		return 0;
	}
	log_info("cgroup v2 delegated by systemd: serve runs in %s/main, the "
	         "sandbox's run cgroups below %s/algocode",
	         own, own);
	return 0;
}
