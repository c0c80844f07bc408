// expect: AC
// The abstract unix socket namespace belongs to the network namespace: the
// runner's @algocode-conformance must be unreachable.
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {};
	sa.sun_family = AF_UNIX;
	const char name[] = "\0algocode-conformance";
	memcpy(sa.sun_path, name, sizeof(name) - 1);
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	                            sizeof(name) - 1);
	if (s >= 0 && connect(s, (struct sockaddr *)&sa, len) == 0)
		printf("CONNECTED\n");
	else
		printf("%lld\n", a + b);
}
