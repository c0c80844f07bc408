// Fewer digits are fine as long as they suffice: seven after the point
// is an absolute error of at most 5e-8.
#include <iomanip>
#include <iostream>

int main()
{
	std::ios::sync_with_stdio(false);
	std::cin.tie(nullptr);
	int n;
	std::cin >> n;
	long double sum = 0;
	for (int i = 0; i < n; i++) {
		long double t;
		std::cin >> t;
		sum += t;
	}
	std::cout << std::fixed << std::setprecision(7) << sum / n << '\n';
	return 0;
}
