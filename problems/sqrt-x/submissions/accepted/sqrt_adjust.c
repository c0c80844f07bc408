/* Floating-point guess, corrected by integer steps. */
#include <math.h>
#include <stdio.h>

int main(void)
{
	int q;
	long long x;

	if (scanf("%d", &q) != 1)
		return 0;
	while (q-- > 0 && scanf("%lld", &x) == 1) {
		long long r = (long long)sqrt((double)x);
		while (r * r > x)
			--r;
		while ((r + 1) * (r + 1) <= x)
			++r;
		printf("%lld\n", r);
	}
	return 0;
}
