// Default (not fixed) notation with 12 significant digits: a tiny mean
// such as 1e-13 is printed in scientific notation ("1.13686837722e-13"),
// which the default validator must still read as a number.
#include <iomanip>
#include <iostream>

int main()
{
	std::ios::sync_with_stdio(false);
	std::cin.tie(nullptr);
	int n;
	std::cin >> n;
	double sum = 0;
	for (int i = 0; i < n; i++) {
		double t;
		std::cin >> t;
		sum += t;
	}
	std::cout << std::setprecision(12) << sum / n << '\n';
	return 0;
}
