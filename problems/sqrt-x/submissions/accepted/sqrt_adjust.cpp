// Double-precision sqrt, then fix the rounding with exact integer checks.
#include <cmath>
#include <iostream>

int main()
{
	std::ios::sync_with_stdio(false);
	std::cin.tie(nullptr);
	int q;
	std::cin >> q;
	while (q--) {
		long long x;
		std::cin >> x;
		long long r = (long long)std::sqrt((double)x);
		while (r * r > x)
			--r;
		while ((r + 1) * (r + 1) <= x)
			++r;
		std::cout << r << '\n';
	}
	return 0;
}
