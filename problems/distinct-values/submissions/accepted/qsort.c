#include <stdio.h>
#include <stdlib.h>

static int cmp(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

int main(void)
{
	int n;
	size_t k = 0;

	if (scanf("%d", &n) != 1 || n <= 0)
		return 0;
	unsigned *v = malloc(sizeof(*v) * (size_t)n);
	if (!v)
		return 1;
	for (int i = 0; i < n; i++)
		if (scanf("%u", &v[i]) != 1)
			v[i] = 0;
	qsort(v, (size_t)n, sizeof(*v), cmp);
	for (int i = 0; i < n; i++)
		if (i == 0 || v[i] != v[i - 1])
			k++;
	printf("%zu\n", k);
	free(v);
	return 0;
}
