// An unsigned counter is always >= 0: after 0 it wraps to 4294967295 and
// the countdown never ends.  The output limit stops it long before the
// time limit does.
#include <cstdio>

int main()
{
	unsigned n;
	if (std::scanf("%u", &n) != 1)
		return 0;
	for (unsigned i = n; i >= 0; --i)
		std::printf("%u\n", i);
	std::printf("Liftoff!\n");
	return 0;
}
