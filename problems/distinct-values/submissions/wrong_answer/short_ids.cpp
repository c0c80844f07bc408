// Stores the ids as 16-bit shorts to save memory: ids that agree in their
// low 16 bits collide, so too few distinct values are counted.
#include <algorithm>
#include <cstdio>
#include <vector>

int main()
{
	int n;
	if (std::scanf("%d", &n) != 1)
		return 0;
	std::vector<short> v(n);
	for (auto &x : v) {
		long long t;
		std::scanf("%lld", &t);
		x = (short)t;
	}
	std::sort(v.begin(), v.end());
	std::printf("%zu\n",
		    (size_t)(std::unique(v.begin(), v.end()) - v.begin()));
	return 0;
}
