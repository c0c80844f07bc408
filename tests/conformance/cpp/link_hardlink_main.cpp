// expect: AC
// Hard links in the box (the judge's chown skips multiply-linked files).
#include <cstdio>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	link("/box/main", "/box/main2");
	link("/etc/passwd", "/box/passwd");
	printf("%lld\n", a + b);
}
