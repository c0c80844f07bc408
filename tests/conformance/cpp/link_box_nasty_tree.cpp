// expect: AC
// A deep tree, unreadable directories, a FIFO, a socket and odd names in
// the box: the judge must still clean it all up (the runner checks that
// no run directory is left).
#include <cstdio>
#include <string>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	if (chdir("/box") != 0)
		return 2;
	for (int i = 0; i < 300; i++) {
		if (mkdir("d", 0755) != 0 || chdir("d") != 0)
			return 3;
	}
	mkfifo("/box/fifo", 0600);
	mkdir("/box/locked", 0700);
	FILE *f = fopen("/box/locked/x", "w");
	if (f)
		fclose(f);
	chmod("/box/locked", 0);
	f = fopen("/box/name\nwith newline", "w");
	if (f)
		fclose(f);
	f = fopen("/box/-rf", "w");
	if (f)
		fclose(f);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {};
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/box/sock");
	if (s >= 0)
		bind(s, (struct sockaddr *)&sa, sizeof(sa));
	printf("%lld\n", a + b);
}
