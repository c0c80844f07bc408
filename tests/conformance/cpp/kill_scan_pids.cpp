// expect: AC
// SIGKILL to every pid up to 100000: only the run's own processes could
// be hit; none of the judge.  The program skips itself.
#include <csignal>
#include <cstdio>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	pid_t me = getpid();
	int hit = 0;
	for (pid_t p = 2; p < 100000; p++)
		if (p != me && kill(p, SIGKILL) == 0)
			hit++;
	if (hit)
		printf("KILLED %d\n", hit);
	else
		printf("%lld\n", a + b);
}
