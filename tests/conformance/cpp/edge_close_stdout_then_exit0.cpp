// expect: AC
// Prints the answer, closes stdout, exits 0.
#include <cstdio>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	printf("%lld\n", a + b);
	fflush(stdout);
	close(1);
	close(2);
	usleep(200000);
	return 0;
}
