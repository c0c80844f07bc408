/* spin: the smallest program to start.  With an argument N, burn N ms of
 * CPU first (bench and sandbox tests). */
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	if (argc > 1) {
		double until = atof(argv[1]) / 1000.0;
		volatile unsigned long x = 0;

		while ((double)clock() / CLOCKS_PER_SEC < until)
			x++;
	}
	return 0;
}
