// redteam: problem=hello-judge lang=cpp expect=MLE within=120
// The run's memory cgroup driven to OOM by several small processes: 200
// MiB of tmpfs pages first (/dev/shm, in 1 MiB files: charged to the
// cgroup, mapped by no process), then the program and as many children
// as the process limit allows each touch 64 KiB more at a time.  Every
// process in the cgroup has an RSS of a few MiB, less than the sandbox
// helper's; an OOM killer that weighed the helper's spare spawner thread
// would choose it.  Expected: the programs die (MLE), the helper and the
// server live on (redteam.sh).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

static char chunk[1 << 16];

static void touch_forever()
{
	for (;;) {
		char *p = static_cast<char *>(std::malloc(sizeof(chunk)));
		if (!p)
			_exit(3);
		std::memset(p, 2, sizeof(chunk));
		usleep(200);
	}
}

int main()
{
	std::memset(chunk, 'x', sizeof(chunk));
	// 1 MiB files (a file may not outgrow the output limit, RLIMIT_FSIZE).
	for (int i = 0; i < 200; i++) {
		char name[32];
		std::snprintf(name, sizeof(name), "/dev/shm/f%03d", i);
		int f = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (f < 0)
			break;
		for (int k = 0; k < 16; k++)
			if (write(f, chunk, sizeof(chunk)) != (ssize_t)sizeof(chunk))
				break;
		close(f);
	}
	// As many children as the process limit allows (fork fails past it).
	for (int i = 0; i < 16; i++) {
		pid_t pid = fork();
		if (pid == 0)
			touch_forever();
		if (pid < 0)
			break;
	}
	touch_forever();
}
