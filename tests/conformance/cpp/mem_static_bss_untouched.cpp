// expect: AC
// A 1 GiB static array that is never touched costs no memory.
#include <cstdio>
static char big[1u << 30];
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	printf("%lld\n", a + b + big[(a * 7919) % sizeof(big)]);
}
