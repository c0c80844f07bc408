/* Sort (value, position), then two pointers. */
#include <stdio.h>
#include <stdlib.h>

struct item {
	long long v;
	int pos;
};

static int cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	return x->v < y->v ? -1 : x->v > y->v;
}

int main(void)
{
	int n;
	long long t;

	if (scanf("%d %lld", &n, &t) != 2 || n <= 0)
		return 0;
	struct item *a = malloc(sizeof(*a) * (size_t)n);
	if (!a)
		return 1;
	for (int i = 0; i < n; i++) {
		if (scanf("%lld", &a[i].v) != 1)
			a[i].v = 0;
		a[i].pos = i + 1;
	}
	qsort(a, (size_t)n, sizeof(*a), cmp);
	for (int i = 0, j = n - 1; i < j;) {
		long long s = a[i].v + a[j].v;
		if (s == t) {
			int p = a[i].pos, q = a[j].pos;
			printf("%d %d\n", p < q ? p : q, p < q ? q : p);
			free(a);
			return 0;
		}
		if (s < t)
			i++;
		else
			j--;
	}
	printf("-1\n");
	free(a);
	return 0;
}
