// A balanced tree of the ids seen: about 5 MB for 100000 ids.
#include <iostream>
#include <set>

int main()
{
	std::ios::sync_with_stdio(false);
	std::cin.tie(nullptr);
	int n;
	std::cin >> n;
	std::set<long long> seen;
	for (int i = 0; i < n; i++) {
		long long v;
		std::cin >> v;
		seen.insert(v);
	}
	std::cout << seen.size() << '\n';
	return 0;
}
