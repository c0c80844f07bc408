// expect: WA
// _exit() skips the stdio flush: the buffered answer is lost.
#include <cstdio>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	printf("%lld\n", a + b);
	_exit(0);
}
