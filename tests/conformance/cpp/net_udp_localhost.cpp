// expect: AC
// UDP datagrams to the runner's listener (28081) must not arrive.
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
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	int sent = 0;
	if (s >= 0) {
		struct sockaddr_in sa = {};
		sa.sin_family = AF_INET;
		sa.sin_port = htons(28081);
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		for (int i = 0; i < 10; i++)
			if (sendto(s, "x", 1, 0, (struct sockaddr *)&sa,
			           sizeof(sa)) == 1)
				sent++;
	}
	if (sent)
		printf("SENT %d\n", sent);
	else
		printf("%lld\n", a + b);
}
