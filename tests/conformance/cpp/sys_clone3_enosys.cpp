// expect: AC
// clone3 fails with ENOSYS (so that runtimes fall back to clone).
#include <cerrno>
#include <cstdio>
#include <sys/syscall.h>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	long r = syscall(435 /* clone3 */, nullptr, 0);
	if (r == 0)
		_exit(0);
	printf("%lld\n", a + b);
}
