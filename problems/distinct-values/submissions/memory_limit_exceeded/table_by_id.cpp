// A "seen" table indexed by the id, sized by the largest id: fine for the
// samples' small ids, about 2 GiB when an id is close to 2^31.
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
	unsigned maxv = *std::max_element(v.begin(), v.end());
	std::vector<char> seen((size_t)maxv + 1); // zero-filled: every page touched
	long long count = 0;
	for (unsigned x : v)
		if (!seen[x]) {
			seen[x] = 1;
			count++;
		}
	std::printf("%lld\n", count);
	return 0;
}
