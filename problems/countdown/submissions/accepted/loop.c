#include <stdio.h>

int main(void)
{
	int n;

	if (scanf("%d", &n) != 1)
		return 0;
	for (int i = n; i >= 0; --i)
		printf("%d\n", i);
	printf("Liftoff!\n");
	return 0;
}
