// expect: RE
// detail: Bad System Call
// The kernel keyring (add_key) is shared with the host user.
#include <cstdio>
#include <sys/syscall.h>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	long r = syscall(SYS_add_key, "user", "acconf", "x", 1, -4 /* session */);
	if (r >= 0)
		printf("KEY ADDED\n");
	else
		printf("%lld\n", a + b);
}
