// expect: AC
// Local IPC between the program's own processes works.
#include <cstdio>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return 2;
	fflush(stdout);
	if (fork() == 0) {
		long long s = a + b;
		if (write(sv[1], &s, sizeof(s)) != sizeof(s))
			_exit(1);
		_exit(0);
	}
	long long s = 0;
	if (read(sv[0], &s, sizeof(s)) != sizeof(s))
		return 3;
	wait(nullptr);
	printf("%lld\n", s);
}
