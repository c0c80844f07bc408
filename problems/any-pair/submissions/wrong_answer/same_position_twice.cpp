// Forgets that i and j must differ: for T = 2*a_i it prints "i i".
#include <cstdio>
#include <unordered_map>
#include <vector>

int main()
{
	int n;
	long long t;
	if (std::scanf("%d %lld", &n, &t) != 2)
		return 0;
	std::unordered_map<long long, int> pos;
	std::vector<long long> a(n);
	for (int j = 0; j < n; j++) {
		std::scanf("%lld", &a[j]);
		pos.emplace(a[j], j + 1);
	}
	for (int j = 0; j < n; j++) {
		auto it = pos.find(t - a[j]);
		if (it != pos.end()) {
			int x = j + 1, y = it->second;
			std::printf("%d %d\n", x < y ? x : y, x < y ? y : x);
			return 0;
		}
	}
	std::printf("-1\n");
	return 0;
}
