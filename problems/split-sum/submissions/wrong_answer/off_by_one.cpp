// a + b = n + 1.
#include <cstdio>
int main()
{
	long long n;
	if (scanf("%lld", &n) != 1)
		return 1;
	printf("1 %lld\n", n);
	return 0;
}
