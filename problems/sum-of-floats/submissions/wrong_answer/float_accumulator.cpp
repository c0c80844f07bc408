// Accumulates in single precision: with tens of thousands of readings the
// rounding errors add up far beyond 1e-6.
#include <cstdio>

int main()
{
	int n;
	if (std::scanf("%d", &n) != 1)
		return 0;
	float sum = 0;
	for (int i = 0; i < n; i++) {
		float t;
		std::scanf("%f", &t);
		sum += t;
	}
	std::printf("%.9f\n", (double)(sum / n));
	return 0;
}
