// expect: TLE/MLE
// Every process forks twice then waits: exponential, bounded by pids.max.
// It spins until the CPU limit (TLE), unless the kernel memory of the
// fork churn (page tables, task structs: charged to the memory cgroup)
// reaches the 64 MiB limit first (MLE); either stops it, nothing escapes.
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
int main()
{
	prctl(PR_SET_NAME, "acconfmark");
	for (;;) {
		fork();
		fork();
		while (wait(nullptr) > 0)
			;
	}
}
