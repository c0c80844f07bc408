// Another correct pair: only the output validator accepts it (the default
// validator would compare it with the answer file's "1 n-1").
#include <cstdio>
int main()
{
	long long n;
	if (scanf("%lld", &n) != 1)
		return 1;
	printf("%lld %lld\n", n / 2, n - n / 2);
	return 0;
}
