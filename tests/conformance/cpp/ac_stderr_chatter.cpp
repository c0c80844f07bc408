// expect: AC
// Writing to stderr does not change the verdict.
#include <cstdio>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	fprintf(stderr, "debug: a=%lld b=%lld\n", a, b);
	printf("%lld\n", a + b);
}
