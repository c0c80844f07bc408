// expect: AC
// Keeps reading after EOF: read() returns 0 at once, never blocks.
#include <cstdio>
#include <unistd.h>
int main()
{
	long long a, b;
	char c;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	int ch;
	while ((ch = getchar()) != EOF)
		if (ch != '\n' && ch != ' ')
			return 2;
	for (int i = 0; i < 1000; i++) {
		if (getchar() != EOF)
			return 3;
		clearerr(stdin);
		if (read(0, &c, 1) != 0)
			return 4;
	}
	printf("%lld\n", a + b);
}
