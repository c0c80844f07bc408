// expect: AC
// The expected answer must be out of reach: the problem's host path (the
// runner judges a copy at a fixed place), relative paths, the path behind
// stdin.
#include <climits>
#include <cstdio>
#include <cstring>
#include <string>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	std::string paths[] = {
	        "/tmp/algocode-conformance/problem/data/sample/1.ans",
	        "/tmp/algocode-conformance/problem/data/secret/1.ans",
	        "../data/sample/1.ans", "../../data/sample/1.ans",
	        "/box/../data/sample/1.ans", "/problems/problem/data/sample/1.ans",
	        "/data/sample/1.ans", "/proc/self/cwd/../data/sample/1.ans", ""};
	char link[PATH_MAX];
	ssize_t n = readlink("/proc/self/fd/0", link, sizeof(link) - 1);
	if (n > 3) {
		link[n] = '\0';
		std::string s(link);
		if (s.size() > 3 && s.compare(s.size() - 3, 3, ".in") == 0)
			paths[8] = s.substr(0, s.size() - 3) + ".ans";
	}
	for (const std::string &p : paths) {
		if (p.empty())
			continue;
		FILE *f = fopen(p.c_str(), "r");
		if (f) {
			printf("LEAK %s\n", p.c_str());
			return 0;
		}
	}
	printf("%lld\n", a + b);
}
