// expect: AC
// A test that takes the write permission off /box (and its own main.cpp)
// must not break the next test: each test starts with a writable box.
#include <cstdio>
#include <sys/stat.h>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	FILE *f = fopen("/box/probe", "w");
	if (!f) {
		printf("BOX NOT WRITABLE\n");
		return 0;
	}
	fclose(f);
	chmod("/box", 0500);
	printf("%lld\n", a + b);
}
