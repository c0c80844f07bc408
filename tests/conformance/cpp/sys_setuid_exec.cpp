// expect: AC
// A set-user-id binary run from the box (no_new_privs, nosuid): it must
// not gain anything.  Uses /usr/bin/su if present, else passes.
#include <cstdio>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	fflush(stdout);
	struct stat st;
	int gained = 0;
	const char *cands[] = {"/usr/bin/su", "/usr/bin/passwd",
	                       "/usr/bin/newgrp", "/usr/bin/chsh"};
	for (const char *c : cands) {
		if (stat(c, &st) != 0 || !(st.st_mode & S_ISUID))
			continue;
		pid_t p = fork();
		if (p == 0) {
			close(0);
			close(1);
			close(2);
			execl("/usr/bin/id", "id", "-u", (char *)nullptr);
			_exit(127);
		}
		int ws;
		waitpid(p, &ws, 0);
		if (access("/etc/shadow", R_OK) == 0)
			gained = 1;
	}
	if (gained)
		printf("PRIVILEGED\n");
	else
		printf("%lld\n", a + b);
}
