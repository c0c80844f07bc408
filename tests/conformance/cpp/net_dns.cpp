// expect: AC
// Name resolution has nowhere to go.
#include <cstdio>
#include <netdb.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	struct addrinfo *ai = nullptr;
	if (getaddrinfo("deb.debian.org", "80", nullptr, &ai) == 0)
		printf("RESOLVED\n");
	else
		printf("%lld\n", a + b);
}
