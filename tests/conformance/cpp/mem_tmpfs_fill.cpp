// expect: MLE
// Files in /tmp (tmpfs) are memory: 512 KiB files until something stops it.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
int main()
{
	static char buf[512 << 10];
	memset(buf, 'x', sizeof(buf));
	signal(SIGXFSZ, SIG_IGN);
	for (int i = 0; i < 2000; i++) {
		char name[64];
		snprintf(name, sizeof(name), "/tmp/fill-%d", i);
		int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			return 2;
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			return 3;
		close(fd);
	}
	printf("FILLED\n");
}
