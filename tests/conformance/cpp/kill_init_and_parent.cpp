// expect: AC
// Signals to the sandbox's init (the parent) and to pid 1 are refused or
// ignored; the run goes on normally.
#include <csignal>
#include <cstdio>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	pid_t pp = getppid();
	kill(pp, SIGKILL);
	kill(1, SIGKILL);
	kill(1, SIGTERM);
	kill(0, SIGCONT);
	usleep(100000);
	printf("%lld\n", a + b);
}
