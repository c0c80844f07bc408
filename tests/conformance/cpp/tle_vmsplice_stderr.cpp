// expect: TLE
// detail: cpu
// vmsplice costs the program next to nothing; copying what it spliced
// costs whoever reads the pipe: the sandbox charges that reading to the
// run, so the flood ends at the CPU limit instead of keeping a judge's
// CPU busy until the wall limit.
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstring>

static char buf[1 << 20];

int main()
{
	struct iovec iov;

	memset(buf, 'x', sizeof(buf));
	for (;;) {
		iov.iov_base = buf;
		iov.iov_len = sizeof(buf);
		if (vmsplice(2, &iov, 1, 0) < 0 && write(2, buf, 65536) < 0)
			return 1;
	}
}
