// Counts the runs of the sorted ids but loops one step too far:
// v.at(n) throws std::out_of_range, which is never caught (abort, SIGABRT).
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
	int count = 1;
	for (int i = 1; i <= n; i++)
		if (v.at(i) != v.at(i - 1))
			count++;
	std::printf("%d\n", count);
	return 0;
}
