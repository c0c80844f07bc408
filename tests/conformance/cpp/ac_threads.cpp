// expect: AC
// Two helper threads (the C++ run allows a few), joined before the answer.
#include <atomic>
#include <cstdio>
#include <thread>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	std::atomic<long long> s{0};
	std::thread t1([&] { s += a; });
	std::thread t2([&] { s += b; });
	t1.join();
	t2.join();
	printf("%lld\n", s.load());
}
