// Prints the right answer but ends main with "return 1": a non-zero exit
// status is a runtime error whatever the output.
#include <cstdio>

int main()
{
	int n;
	if (std::scanf("%d", &n) != 1)
		return 1;
	for (int i = n; i >= 0; --i)
		std::printf("%d\n", i);
	std::printf("Liftoff!\n");
	return 1;
}
