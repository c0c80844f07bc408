// expect: AC
// 32 MiB on stderr: stderr is capped and dropped, never a verdict.
#include <cstdio>
#include <cstring>
#include <unistd.h>
int main()
{
	static char buf[65536];
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	memset(buf, 'e', sizeof(buf));
	for (int i = 0; i < 512; i++)
		if (write(2, buf, sizeof(buf)) < 0)
			return 2;
	printf("%lld\n", a + b);
}
