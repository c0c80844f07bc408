// redteam: problem=hello-judge lang=cpp expect=MLE|OLE within=120
// Finding 1 (issue 15): one submission grew the work dir by 1 GiB in 4 s.
// This one writes 1 MiB files into /box until a write fails, then exits
// with an error.  The box is a tmpfs the helper sized for the test (its
// pages count against the memory limit): Memory Limit Exceeded or Output
// Limit Exceeded, whichever the kernel reports first, and nothing stays.
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

static char junk[(1 << 20) - 4096];

int main()
{
	memset(junk, 'x', sizeof(junk));
	for (int i = 0; i < 4096; i++) {
		char name[32];
		std::snprintf(name, sizeof(name), "/box/fill%04d", i);
		int f = open(name, O_WRONLY | O_CREAT, 0600);
		if (f < 0)
			return 3;
		if (write(f, junk, sizeof(junk)) != (ssize_t)sizeof(junk))
			return 4;
		close(f);
	}
	return 5;
}
