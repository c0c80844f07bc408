// expect: MLE
#include <stdlib.h>
#include <string.h>
int main(void)
{
	size_t n = 1 << 20;
	char *p = NULL;
	for (;;) {
		char *q = (char *)realloc(p, n);
		if (!q)
			abort();
		memset(q, 1, n);
		p = q;
		n *= 2;
	}
}
