// expect: AC
// TCP to 127.0.0.1: the runner's listener (28080), the API port (8080) and
// the usual services.  There is no network in the sandbox.
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
	int ports[] = {28080, 8080, 8081, 80, 22, 5672, 4222, 6379, 27017};
	for (int port : ports) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0)
			continue;
		struct sockaddr_in sa = {};
		sa.sin_family = AF_INET;
		sa.sin_port = htons((unsigned short)port);
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			printf("CONNECTED %d\n", port);
			return 0;
		}
		close(s);
	}
	printf("%lld\n", a + b);
}
