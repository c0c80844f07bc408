// expect: AC
// No descriptor but 0, 1 and 2 is inherited.
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int self = d ? dirfd(d) : -1;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		int fd = atoi(e->d_name);
		if (fd > 2 && fd != self) {
			char l[512] = "";
			char p[64];
			snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
			ssize_t n = readlink(p, l, sizeof(l) - 1);
			l[n > 0 ? n : 0] = '\0';
			printf("LEAK fd %d -> %s\n", fd, l);
			return 0;
		}
	}
	printf("%lld\n", a + b);
}
