// expect: AC
// No final newline: tokens still match.
#include <cstdio>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	printf("%lld", a + b);
}
