// expect: AC
/* Binary junk (NUL bytes, escapes) on stderr, then the right answer. */
#include <stdio.h>
int main(void)
{
	long long a, b;
	int i;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	for (i = 0; i < 200000; i++)
		fputc(i % 256, stderr);
	fputs("\033[2J\033]0;title\007", stderr);
	printf("%lld\n", a + b);
	return 0;
}
