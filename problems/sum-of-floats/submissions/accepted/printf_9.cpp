// Sum in double, print with nine digits after the point.
#include <cstdio>

int main()
{
	int n;
	if (std::scanf("%d", &n) != 1)
		return 0;
	double sum = 0;
	for (int i = 0; i < n; i++) {
		double t;
		std::scanf("%lf", &t);
		sum += t;
	}
	std::printf("%.9f\n", sum / n);
	return 0;
}
