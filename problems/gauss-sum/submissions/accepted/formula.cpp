// 64-bit arithmetic: every group.  @EXPECTED_SCORE@: 100
#include <cstdio>
int main()
{
	long long n;
	if (scanf("%lld", &n) != 1)
		return 1;
	printf("%lld\n", n * (n + 1) / 2);
	return 0;
}
