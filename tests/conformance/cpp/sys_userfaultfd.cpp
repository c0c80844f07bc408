// expect: RE
// detail: Bad System Call
#include <cstdio>
#include <sys/syscall.h>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	long r = syscall(SYS_userfaultfd, 0);
	if (r >= 0)
		printf("UFFD\n");
	else
		printf("%lld\n", a + b);
}
