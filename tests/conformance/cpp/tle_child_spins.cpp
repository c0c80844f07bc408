// expect: TLE
// detail: cpu
// The parent waits (no CPU) while its child spins: the child's CPU counts.
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
int main()
{
	pid_t p = fork();
	if (p == 0) {
		prctl(PR_SET_NAME, "acconfmark");
		volatile unsigned long x = 0;
		for (;;)
			x++;
	}
	waitpid(p, nullptr, 0);
	return 0;
}
