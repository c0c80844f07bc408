// 32-bit arithmetic overflows beyond n = 46340: group 1 only.
// @EXPECTED_SCORE@: 40
#include <cstdio>
int main()
{
	int n;
	if (scanf("%d", &n) != 1)
		return 1;
	printf("%d\n", n * (n + 1) / 2);
	return 0;
}
