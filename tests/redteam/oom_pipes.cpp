// redteam: problem=hello-judge lang=cpp expect=MLE|RE within=120
// The run's memory cgroup driven to OOM by kernel buffers: pipes grown to
// 1 MiB (F_SETPIPE_SZ) and Unix socket pairs with the largest send buffer
// allowed, all filled without a reader, in the program and in each child
// the process limit allows (each with its own descriptor limit), then
// small allocations.  Pipe and socket buffers are charged to the cgroup
// (kernel memory) but to no process's RSS, so an OOM killer that weighed
// the sandbox helper's spare spawner thread would choose the helper.
// Expected: the programs die (MLE or RE), the helper and the server live
// on (redteam.sh).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

static char chunk[1 << 16];

static long fill_fd(int fd)
{
	long n = 0;

	for (;;) {
		ssize_t w = write(fd, chunk, sizeof(chunk));
		if (w <= 0)
			return n;
		n += w;
	}
}

static long fill_all()
{
	long total = 0;

	for (int i = 0; i < 64; i++) {
		int p[2];
		if (i % 2 == 0) {
			if (pipe2(p, O_NONBLOCK) < 0)
				break;
			fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
		} else {
			if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
			               p) < 0)
				break;
			int sz = 1 << 30;
			setsockopt(p[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
			setsockopt(p[0], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
		}
		total += fill_fd(p[1]);
	}
	return total;
}

int main()
{
	std::memset(chunk, 'x', sizeof(chunk));
	for (int i = 0; i < 16; i++) {
		pid_t pid = fork();
		if (pid < 0)
			break;
		if (pid == 0)
			break; // the child fills its own set below
	}
	std::fprintf(stderr, "%d: %ld KiB in buffers\n", (int)getpid(),
	             fill_all() >> 10);
	for (;;) {
		char *p = static_cast<char *>(std::malloc(sizeof(chunk)));
		if (!p)
			return 3;
		std::memset(p, 3, sizeof(chunk));
		usleep(200);
	}
}
