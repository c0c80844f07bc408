// expect: MLE
// A child touches 256 MiB and is killed by the memory limit; the parent then
// prints the right answer.  The memory controller acted: MLE.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	pid_t p = fork();
	if (p == 0) {
		char *m = (char *)malloc(256u << 20);
		if (m)
			memset(m, 1, 256u << 20);
		asm volatile("" : : "r"(m) : "memory");
		_exit(0);
	}
	waitpid(p, nullptr, 0);
	printf("%lld\n", a + b);
}
