// expect: AC
// Re-executes itself 50 times (the counter in argv), then answers.  (Each
// exec of a dynamic C++ binary costs ~5 ms of CPU on a slow VM: 200 of
// them came close to the 1 s limit.)
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>
int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0;
	if (n < 50) {
		std::string s = std::to_string(n + 1);
		execl("/proc/self/exe", "main", s.c_str(), (char *)nullptr);
		return 5;
	}
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	printf("%lld\n", a + b);
}
