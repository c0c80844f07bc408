// redteam: problem=hello-judge lang=cpp expect=AC within=120
// The sandbox helper protects itself from the OOM killer (oom_score_adj
// -1000) and the program must not inherit that: it reads its own
// /proc/self/oom_score_adj, and a child's, and answers only when both are
// >= 0 (else it prints OOM-PROTECTED and fails).  Expected: AC.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

static int adj()
{
	FILE *f = std::fopen("/proc/self/oom_score_adj", "r");
	int v = -2000;

	if (!f || std::fscanf(f, "%d", &v) != 1)
		v = -2000;
	if (f)
		std::fclose(f);
	return v;
}

int main()
{
	int me = adj(), child = -2000, st = 0;
	pid_t pid = fork();

	if (pid == 0)
		_exit(adj() >= 0 ? 0 : 1);
	if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st))
		child = WEXITSTATUS(st) == 0 ? 0 : -1;
	std::fprintf(stderr, "oom_score_adj %d, child's %s\n", me,
	             child == 0 ? ">= 0" : "< 0 or unknown");
	if (me < 0 || child < 0) {
		std::cout << "OOM-PROTECTED " << me << "\n";
		return 7;
	}
	std::string name;
	std::getline(std::cin, name);
	std::cout << "Hello, " << name << "!\n";
	return 0;
}
