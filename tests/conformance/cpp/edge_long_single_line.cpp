// expect: AC
// 900 KiB on one line (the answer then spaces), under the limit.
#include <cstdio>
#include <string>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	std::string s = std::to_string(a + b);
	s.append(900u << 10, ' ');
	s += '\n';
	fwrite(s.data(), 1, s.size(), stdout);
}
