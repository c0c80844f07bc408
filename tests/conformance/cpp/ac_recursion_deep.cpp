// expect: AC
// 200000 levels of recursion (~15 MB of stack, far beyond 8 MiB):
// the stack may be as large as the memory limit.
#include <cstdio>
static long long depth(long long n, volatile char *p)
{
	volatile char pad[16];
	pad[0] = (char)n;
	if (n == 0)
		return p[0] - 1; /* p[0] is 1 */
	return depth(n - 1, pad) + 1;
}
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	volatile char c = 0;
	long long d = depth(200000, &c);
	printf("%lld\n", a + b + d - 200000);
}
