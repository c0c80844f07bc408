// expect: AC
// The sandbox's init and everything above it are invisible (hidepid).
#include <cstdio>
#include <string>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	std::string pp = "/proc/" + std::to_string(getppid());
	const std::string paths[] = {
	        "/proc/1/environ", "/proc/1/cmdline", "/proc/1/maps",
	        "/proc/1/root/etc/shadow", "/proc/1/mountinfo",
	        pp + "/environ", pp + "/cmdline", pp + "/mem",
	        pp + "/root/box/main", pp + "/cwd/main"};
	for (const std::string &p : paths) {
		FILE *f = fopen(p.c_str(), "r");
		if (f && fgetc(f) != EOF) {
			printf("LEAK %s\n", p.c_str());
			return 0;
		}
	}
	printf("%lld\n", a + b);
}
