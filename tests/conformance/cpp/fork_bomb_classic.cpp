// expect: TLE
// detail: cpu
// for (;;) fork(): the pids limit stops the growth, the CPU limit the run.
#include <sys/prctl.h>
#include <unistd.h>
int main()
{
	prctl(PR_SET_NAME, "acconfmark");
	for (;;)
		fork();
}
