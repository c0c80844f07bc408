// Sort positions by value, then walk two pointers inwards: O(n log n).
// Usually finds a different pair than the hash-map solution.
#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

int main()
{
	int n;
	long long t;
	if (std::scanf("%d %lld", &n, &t) != 2)
		return 0;
	std::vector<std::pair<long long, int>> v(n);
	for (int i = 0; i < n; i++) {
		std::scanf("%lld", &v[i].first);
		v[i].second = i + 1;
	}
	std::sort(v.begin(), v.end());
	int lo = 0, hi = n - 1;
	while (lo < hi) {
		long long s = v[lo].first + v[hi].first;
		if (s == t) {
			int i = v[lo].second, j = v[hi].second;
			std::printf("%d %d\n", std::min(i, j), std::max(i, j));
			return 0;
		}
		if (s < t)
			lo++;
		else
			hi--;
	}
	std::printf("-1\n");
	return 0;
}
