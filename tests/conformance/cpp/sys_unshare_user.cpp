// expect: RE
// detail: Bad System Call
// New user namespace (to become root in it and then mount things).
#include <cstdio>
#include <sched.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0)
		printf("UNSHARED\n");
	else
		printf("%lld\n", a + b);
}
