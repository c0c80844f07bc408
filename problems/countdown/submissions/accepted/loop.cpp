// A signed loop down to zero.
#include <cstdio>

int main()
{
	int n;
	if (std::scanf("%d", &n) != 1)
		return 0;
	for (int i = n; i >= 0; --i)
		std::printf("%d\n", i);
	std::printf("Liftoff!\n");
	return 0;
}
