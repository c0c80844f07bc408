// Right-aligns every number in a field of 100 characters.  The tokens are
// right (so the samples pass), but for large n that is 10 MB of output,
// ten times the output limit.  Finishes quickly: not a time-limit case.
#include <cstdio>

int main()
{
	int n;
	if (std::scanf("%d", &n) != 1)
		return 0;
	for (int i = n; i >= 0; --i)
		std::printf("%100d\n", i);
	std::printf("%100s\n", "Liftoff!");
	return 0;
}
