// expect: AC
// Unix sockets by path on the host (the runner's, docker's, systemd's).
#include <cstdio>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	const char *paths[] = {"/tmp/algocode-conformance/sock",
	                       "/var/run/docker.sock", "/run/docker.sock",
	                       "/run/systemd/private", "/run/dbus/system_bus_socket",
	                       "/var/run/nscd/socket"};
	for (const char *p : paths) {
		int s = socket(AF_UNIX, SOCK_STREAM, 0);
		struct sockaddr_un sa = {};
		sa.sun_family = AF_UNIX;
		strncpy(sa.sun_path, p, sizeof(sa.sun_path) - 1);
		if (s >= 0 && connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			printf("CONNECTED %s\n", p);
			return 0;
		}
		if (s >= 0)
			close(s);
	}
	printf("%lld\n", a + b);
}
