// expect: RE
// detail: Bad System Call
// reboot(2) with a harmless command (CAD off) must never get to the kernel.
#include <cstdio>
#include <sys/reboot.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	if (reboot(RB_DISABLE_CAD) == 0)
		printf("REBOOT ALLOWED\n");
	else
		printf("%lld\n", a + b);
}
