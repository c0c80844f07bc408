// expect: WA
// Right on the sample, wrong on the secret test.
#include <cstdio>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	printf("%lld\n", a == 1 ? a + b : a - b);
}
