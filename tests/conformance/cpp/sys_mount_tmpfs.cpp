// expect: RE
// detail: Bad System Call
#include <cstdio>
#include <sys/mount.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	if (mount("none", "/box", "tmpfs", 0, nullptr) == 0)
		printf("MOUNTED\n");
	else
		printf("%lld\n", a + b);
}
