// expect: RE
// detail: Bad System Call
// Turning address randomisation off.
#include <cstdio>
#include <sys/personality.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	personality(ADDR_NO_RANDOMIZE);
	printf("%lld\n", a + b);
}
