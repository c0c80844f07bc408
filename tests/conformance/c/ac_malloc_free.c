// expect: AC
/* Many small allocations, freed. */
#include <stdio.h>
#include <stdlib.h>
int main(void)
{
	long long a, b;
	int i;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	for (i = 0; i < 100000; i++) {
		char *p = (char *)malloc(100);
		if (!p)
			return 2;
		p[0] = 1;
		free(p);
	}
	printf("%lld\n", a + b);
	return 0;
}
