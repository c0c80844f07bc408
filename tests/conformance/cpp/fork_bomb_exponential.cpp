// expect: TLE
// Every process forks twice then waits: exponential, bounded by pids.max.
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
