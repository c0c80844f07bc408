// Tries every pair: n(n-1)/2 = 2e10 checks for n = 200000 when no pair
// exists -- many times over the time limit.
#include <cstdio>
#include <vector>

int main()
{
	int n;
	long long t;
	if (std::scanf("%d %lld", &n, &t) != 2)
		return 0;
	std::vector<long long> a(n);
	for (auto &x : a)
		std::scanf("%lld", &x);
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (a[i] + a[j] == t) {
				std::printf("%d %d\n", i + 1, j + 1);
				return 0;
			}
	std::printf("-1\n");
	return 0;
}
