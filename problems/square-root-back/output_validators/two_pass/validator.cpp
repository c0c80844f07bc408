// Multi-pass output validator (Kattis protocol): validator input answer
// feedback_dir < team_output.  Pass 1 checks n^2 and writes
// feedback_dir/nextpass.in ("2 m"); pass 2 checks the square root.  The
// pass is remembered in the feedback directory, which the judge keeps
// between passes.
#include <cstdio>
#include <string>

int main(int argc, char **argv)
{
	if (argc < 4)
		return 1;
	std::string fb = argv[3];
	FILE *in = std::fopen(argv[1], "r");
	FILE *msg = std::fopen((fb + "/judgemessage.txt").c_str(), "w");
	long long kind, n, got;
	if (!in || !msg || std::fscanf(in, "%lld %lld", &kind, &n) != 2)
		return 1;
	FILE *state = std::fopen((fb + "/pass1.done").c_str(), "r");
	bool second = state != nullptr;
	if (std::scanf("%lld", &got) != 1) {
		std::fprintf(msg, "no number\n");
		return 43;
	}
	if (!second) {
		if (got != n * n) {
			std::fprintf(msg, "pass 1: %lld is not %lld squared\n",
			             got, n);
			return 43;
		}
		FILE *next = std::fopen((fb + "/nextpass.in").c_str(), "w");
		FILE *done = std::fopen((fb + "/pass1.done").c_str(), "w");
		if (!next || !done)
			return 1;
		std::fprintf(next, "2 %lld\n", got);
		std::fclose(next);
		std::fclose(done);
		return 42;
	}
	if (got != n) {
		std::fprintf(msg, "%lld is not the square root\n", got);
		return 43;
	}
	std::fprintf(msg, "both passes right\n");
	return 42;
}
