// One pass with a hash map from value to its first position: O(n).
#include <cstdio>
#include <unordered_map>

int main()
{
	int n;
	long long t;
	if (std::scanf("%d %lld", &n, &t) != 2)
		return 0;
	std::unordered_map<long long, int> seen;
	seen.reserve(2 * n);
	int ri = -1, rj = -1;
	for (int j = 1; j <= n; j++) {
		long long a;
		std::scanf("%lld", &a);
		if (ri < 0) {
			auto it = seen.find(t - a);
			if (it != seen.end()) {
				ri = it->second;
				rj = j;
			}
			seen.emplace(a, j); // keeps the first position
		}
	}
	if (ri < 0)
		std::printf("-1\n");
	else
		std::printf("%d %d\n", ri, rj);
	return 0;
}
