/* The privilege-separation wire format: what the unprivileged proxy
 * (privsep_proxy.c) and the root helper (privsep_helper.c) exchange over
 * their socket pair, and the descriptor-passing primitives both sides use
 * (privsep.c).  Internal to the core. */
#ifndef AC_PRIVSEP_WIRE_H
#define AC_PRIVSEP_WIRE_H

#include <algocode/plugin.h>

#include <stddef.h>
#include <stdint.h>

#define PS_MAGIC             0x41437073u /* "ACps" */
#define PS_MAX_MSG           (64 * 1024)
#define PS_MAX_STRS          1024
#define PS_MAX_FDS           5
#define PS_MAX_INFLIGHT      256
#define PS_CHOWN_MAX_DEPTH   128 /* deeper than a build may be (judge.c) */
#define PS_CHOWN_MAX_ENTRIES 100000L

enum {
	PS_RUN = 1,
	PS_CHECK_ENV = 2,
	PS_ENFORCING = 3,
	PS_REMOVE = 4,
	PS_BOX_MOUNT = 5,
};
enum { PS_F_IN = 1, PS_F_OUT = 2, PS_F_ERR = 4, PS_F_ENV = 8 };

/* PS_REMOVE: header, then one string, the path of the tree to remove
 * (beneath judge.work_dir); the answer is a struct ps_reply (rc).
 * PS_BOX_MOUNT: the same, the path of an empty box to mount a tmpfs of
 * limits.fsize_kb KiB on.
 * PS_RUN: header, then NUL-terminated strings: box_dir, stdin_path,
 * stdout_path, stderr_path, argv[nargv], envp[nenv], syscalls[nsys],
 * ro_paths[nro].  Descriptors (SCM_RIGHTS): the reply socket, then for
 * PS_RUN the files named by flags, in that order.  The box travels as a
 * path: the helper opens it beneath judge.work_dir itself. */
struct ps_hdr {
	uint32_t magic, op, flags;
	uint32_t nargv, nenv, nsys, nro;
	struct ac_limits limits;
};

struct ps_reply {
	int32_t rc;
	struct ac_run_report rep;
};

struct ps_line {
	int32_t done; /* 1: last message, rc valid */
	int32_t rc;
	int32_t enforced;
	char what[96];
	char detail[512];
};

/* openat2(2) resolve flags (Linux 5.6), spelled out: glibc 2.36 has no
 * wrapper. */
#define PS_RESOLVE_NO_XDEV       0x01
#define PS_RESOLVE_NO_MAGICLINKS 0x02
#define PS_RESOLVE_NO_SYMLINKS   0x04
#define PS_RESOLVE_BENEATH       0x08

/* Beneath dfd, no link of any kind, never onto another mount. */
#define PS_STRICT                                                              \
	(PS_RESOLVE_BENEATH | PS_RESOLVE_NO_SYMLINKS |                         \
	 PS_RESOLVE_NO_MAGICLINKS | PS_RESOLVE_NO_XDEV)

void ps_close_fds(int *fds, int n);
/* One message of len bytes with nfds descriptors (SCM_RIGHTS). */
int ps_sendmsg(int sock, const void *buf, size_t len, const int *fds, int nfds);
/* Blocking receive of one message of exactly len bytes. */
int ps_recv_exact(int sock, void *buf, size_t len);
int ps_openat2(int dfd, const char *path, int flags, uint64_t resolve);

#endif
