// expect: AC
// IPv6 loopback and an outside address.
#include <arpa/inet.h>
#include <cstdio>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	int s = socket(AF_INET6, SOCK_STREAM, 0);
	if (s >= 0) {
		struct sockaddr_in6 sa = {};
		sa.sin6_family = AF_INET6;
		sa.sin6_port = htons(28080);
		sa.sin6_addr = in6addr_loopback;
		if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			printf("CONNECTED6\n");
			return 0;
		}
	}
	int t = socket(AF_INET, SOCK_STREAM, 0);
	if (t >= 0) {
		struct sockaddr_in sa = {};
		sa.sin_family = AF_INET;
		sa.sin_port = htons(53);
		inet_pton(AF_INET, "1.1.1.1", &sa.sin_addr);
		if (connect(t, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			printf("CONNECTED OUT\n");
			return 0;
		}
	}
	printf("%lld\n", a + b);
}
