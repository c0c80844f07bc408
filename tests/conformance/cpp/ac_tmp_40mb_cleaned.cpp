// expect: AC
// 40 MiB in /tmp, deleted again: under the limit.
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
int main()
{
	static char buf[512 << 10];
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	memset(buf, 'x', sizeof(buf));
	for (int i = 0; i < 80; i++) {
		char name[64];
		snprintf(name, sizeof(name), "/tmp/f%d", i);
		int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			return 2;
		close(fd);
	}
	for (int i = 0; i < 80; i++) {
		char name[64];
		snprintf(name, sizeof(name), "/tmp/f%d", i);
		unlink(name);
	}
	printf("%lld\n", a + b);
}
