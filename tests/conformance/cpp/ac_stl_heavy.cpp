// expect: AC
// STL containers, algorithms, strings and a lambda.
#include <algorithm>
#include <iostream>
#include <map>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>
int main()
{
	std::string line;
	std::getline(std::cin, line);
	std::istringstream in(line);
	std::vector<long long> v;
	for (long long x; in >> x;)
		v.push_back(x);
	std::map<int, long long> m;
	for (size_t i = 0; i < v.size(); i++)
		m[(int)i] = v[i];
	std::sort(v.begin(), v.end(), [](long long a, long long b) { return a > b; });
	long long s = std::accumulate(v.begin(), v.end(), 0LL);
	std::cout << std::to_string(s) << std::endl;
}
