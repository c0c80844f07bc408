// Finds a correct pair but prints 0-based positions.
#include <cstdio>
#include <unordered_map>

int main()
{
	int n;
	long long t;
	if (std::scanf("%d %lld", &n, &t) != 2)
		return 0;
	std::unordered_map<long long, int> seen;
	for (int j = 0; j < n; j++) {
		long long a;
		std::scanf("%lld", &a);
		auto it = seen.find(t - a);
		if (it != seen.end()) {
			std::printf("%d %d\n", it->second, j);
			return 0;
		}
		seen.emplace(a, j);
	}
	std::printf("-1\n");
	return 0;
}
