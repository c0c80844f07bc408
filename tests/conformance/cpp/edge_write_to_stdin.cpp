// expect: AC
// stdin is read-only: writing the test data fails.
#include <cstdio>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	if (write(0, "9 9\n", 4) == 4)
		printf("STDIN WRITABLE\n");
	else
		printf("%lld\n", a + b);
}
