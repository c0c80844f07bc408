// expect: AC
/* read(2)/write(2) directly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(void)
{
	char in[256], out[64];
	ssize_t n = read(0, in, sizeof(in) - 1);
	long long a, b;
	if (n <= 0)
		return 1;
	in[n] = '\0';
	if (sscanf(in, "%lld %lld", &a, &b) != 2)
		return 1;
	n = snprintf(out, sizeof(out), "%lld\n", a + b);
	return write(1, out, (size_t)n) == n ? 0 : 1;
}
