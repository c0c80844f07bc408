// expect: AC
// /tmp and the box are writable scratch space.
#include <cstdio>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	FILE *f = fopen("/tmp/scratch", "w+");
	FILE *g = fopen("/box/scratch", "w+");
	if (!f || !g)
		return 2;
	fprintf(f, "%lld\n", a + b);
	rewind(f);
	long long s;
	if (fscanf(f, "%lld", &s) != 1)
		return 3;
	printf("%lld\n", s);
}
