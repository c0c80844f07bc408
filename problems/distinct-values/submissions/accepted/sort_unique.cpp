// Sort, then count the runs: O(n log n) time, 4n bytes.
#include <algorithm>
#include <cstdio>
#include <vector>

int main()
{
	int n;
	if (std::scanf("%d", &n) != 1)
		return 0;
	std::vector<unsigned> v(n);
	for (auto &x : v)
		std::scanf("%u", &x);
	std::sort(v.begin(), v.end());
	std::printf("%zu\n",
		    (size_t)(std::unique(v.begin(), v.end()) - v.begin()));
	return 0;
}
