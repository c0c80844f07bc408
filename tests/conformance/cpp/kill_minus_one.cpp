// expect: AC
// kill(-1, SIGKILL) may only reach the run's own processes (not the
// judge, not other runs): the program survives it here because kill(-1)
// never signals the caller, and answers.
#include <csignal>
#include <cstdio>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	kill(-1, SIGKILL);
	kill(-1, SIGSTOP);
	kill(-1, SIGTERM);
	usleep(100000);
	printf("%lld\n", a + b);
}
