// expect: TLE
// detail: wall
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
int main()
{
	pid_t p = fork();
	if (p == 0) {
		prctl(PR_SET_NAME, "acconfmark");
		sleep(1000);
		_exit(0);
	}
	waitpid(p, nullptr, 0);
}
