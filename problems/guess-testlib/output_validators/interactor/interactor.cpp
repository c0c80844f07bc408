// testlib-style interactor: interactor input output answer.
#include "testlib.h"

int main(int argc, char *argv[])
{
	registerInteraction(argc, argv);
	long long n = inf.readLong(1, 1000000, "n");
	for (int q = 1; q <= 25; q++) {
		long long x = ouf.readLong(1, 1000000, "query");
		if (x == n) {
			std::printf("=\n");
			std::fflush(stdout);
			std::fprintf(tout, "%d\n", q);
			quitf(_ok, "found %lld in %d queries", n, q);
		}
		std::printf(x < n ? ">\n" : "<\n");
		std::fflush(stdout);
	}
	quitf(_wa, "more than 25 queries");
}
