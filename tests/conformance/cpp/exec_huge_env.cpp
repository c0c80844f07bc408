// expect: AC
// execve with a 30 MiB environment: refused (E2BIG) or run; never harmful.
#include <cstdio>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	fflush(stdout);
	std::string var = "X=" + std::string(100000, 'e');
	std::vector<char *> envp;
	for (int i = 0; i < 300; i++)
		envp.push_back(&var[0]);
	envp.push_back(nullptr);
	char *argv[] = {(char *)"true", nullptr};
	pid_t p = fork();
	if (p == 0) {
		execve("/bin/true", argv, envp.data());
		_exit(0);
	}
	waitpid(p, nullptr, 0);
	printf("%lld\n", a + b);
}
