// expect: OLE
// The answer padded with spaces to exactly 1 MiB + 1 byte.
#include <cstdio>
#include <cstring>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	static char buf[(1u << 20) + 1];
	memset(buf, ' ', sizeof(buf));
	int n = snprintf(buf, 64, "%lld", a + b);
	buf[n] = ' ';
	buf[sizeof(buf) - 1] = '\n';
	size_t off = 0;
	while (off < sizeof(buf)) {
		ssize_t w = write(1, buf + off, sizeof(buf) - off);
		if (w <= 0)
			return 1;
		off += (size_t)w;
	}
}
