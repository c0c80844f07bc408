// expect: RE
// detail: Bad System Call
#include <cstdio>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	if (sethostname("acconf", 6) == 0)
		printf("HOSTNAME SET\n");
	else
		printf("%lld\n", a + b);
}
