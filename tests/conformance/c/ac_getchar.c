// expect: AC
/* Hand-written integer reader and writer. */
#include <stdio.h>
static long long rd(void)
{
	int c = getchar(), neg = 0;
	long long v = 0;
	while (c == ' ' || c == '\n')
		c = getchar();
	if (c == '-') {
		neg = 1;
		c = getchar();
	}
	while (c >= '0' && c <= '9') {
		v = v * 10 + (c - '0');
		c = getchar();
	}
	return neg ? -v : v;
}
int main(void)
{
	long long s = rd() + rd();
	char buf[32];
	int n = 0;
	if (s == 0)
		buf[n++] = '0';
	while (s > 0) {
		buf[n++] = (char)('0' + s % 10);
		s /= 10;
	}
	while (n > 0)
		putchar(buf[--n]);
	putchar('\n');
	return 0;
}
