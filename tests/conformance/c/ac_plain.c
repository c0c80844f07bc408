// expect: AC
/* Plain C (compiled as C++ until a C language plugin exists). */
#include <stdio.h>
int main(void)
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	printf("%lld\n", a + b);
	return 0;
}
