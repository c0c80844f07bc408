// expect: RE
// detail: Bad System Call
#include <cstdio>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	if (chroot("/tmp") == 0)
		printf("CHROOTED\n");
	else
		printf("%lld\n", a + b);
}
