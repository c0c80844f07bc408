// expect: AC
// execve of /bin/true with 8 MiB of arguments, then the answer.
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
	std::string arg(1000, 'a');
	std::vector<char *> argv;
	argv.push_back((char *)"true");
	for (int i = 0; i < 8000; i++)
		argv.push_back(&arg[0]);
	argv.push_back(nullptr);
	pid_t p = fork();
	if (p == 0) {
		execv("/bin/true", argv.data());
		_exit(0); /* E2BIG is fine too */
	}
	waitpid(p, nullptr, 0);
	printf("%lld\n", a + b);
}
