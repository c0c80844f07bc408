// redteam: problem=hello-judge lang=cpp expect=MLE within=120
// The run's memory cgroup driven to OOM by pages no process maps: 1 MiB
// writes into /tmp and /dev/shm (tmpfs: their pages are charged to the
// writer's memory cgroup, not to its RSS), then into the box, then small
// allocations.  The program's own RSS stays a few MiB, so an OOM killer
// that weighed the sandbox helper's spare spawner thread (a thread of the
// root helper waiting in the run's cgroups on v1, with the helper's RSS)
// would choose the helper and SIGKILL every judgement.  Expected: the
// program is killed (MLE), the helper and the server live on (redteam.sh
// compares their pids and judges an Accepted submission after it).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

static char chunk[1 << 16];

// 1 MiB at a time into new files under dir, until a write fails or max MiB.
static int fill(const char *dir, int max)
{
	int mib = 0;

	for (int i = 0; i < max; i++) {
		char name[64];
		std::snprintf(name, sizeof(name), "%s/f%04d", dir, i);
		int f = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (f < 0)
			return mib;
		for (int k = 0; k < 16; k++)
			if (write(f, chunk, sizeof(chunk)) != (ssize_t)sizeof(chunk)) {
				close(f);
				return mib;
			}
		close(f);
		mib++;
	}
	return mib;
}

int main()
{
	std::memset(chunk, 'x', sizeof(chunk));
	int a = fill("/tmp", 4096);
	int b = fill("/dev/shm", 4096);
	int c = fill("/box", 4096);
	std::fprintf(stderr, "wrote %d + %d + %d MiB\n", a, b, c);
	// Still alive: small allocations until the OOM killer acts.
	for (;;) {
		char *p = static_cast<char *>(std::malloc(1 << 16));
		if (!p)
			return 3;
		std::memset(p, 1, 1 << 16);
	}
}
