// expect: RE
// detail: Bad System Call
// Joining another namespace through /proc/<pid>/ns (of the init).
#include <cstdio>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	int fd = open("/proc/self/ns/net", O_RDONLY);
	if (setns(fd, 0) == 0)
		printf("SETNS\n");
	else
		printf("%lld\n", a + b);
}
