// expect: TLE
// detail: wall
// Two threads, two mutexes, opposite order.
#include <mutex>
#include <thread>
#include <unistd.h>
static std::mutex a, b;
int main()
{
	std::thread t([] {
		std::lock_guard<std::mutex> g(b);
		usleep(100000);
		std::lock_guard<std::mutex> h(a);
	});
	std::lock_guard<std::mutex> g(a);
	usleep(100000);
	std::lock_guard<std::mutex> h(b);
	t.join();
}
