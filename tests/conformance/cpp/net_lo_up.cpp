// expect: AC
// Bringing the loopback interface up needs CAP_NET_ADMIN.
#include <cstdio>
#include <cstring>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	ifr.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
	if (s >= 0 && ioctl(s, SIOCSIFFLAGS, &ifr) == 0)
		printf("LO UP\n");
	else
		printf("%lld\n", a + b);
}
