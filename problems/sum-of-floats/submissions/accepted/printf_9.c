#include <stdio.h>

int main(void)
{
	int n;
	double sum = 0, t;

	if (scanf("%d", &n) != 1)
		return 0;
	for (int i = 0; i < n && scanf("%lf", &t) == 1; i++)
		sum += t;
	printf("%.9f\n", sum / n);
	return 0;
}
