// Output validator for "Split the Sum" (2023-07 layout: output_validator/).
// Usage: validator input answer feedback_dir < team_output
// Exit 42: correct, 43: wrong.  The team output is read as at most three
// bounded tokens.  A correct pair also gets a score in score.txt (2 for a
// balanced split, else 1), used when the problem is `type: scoring`.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

static void say(const char *dir, const char *msg)
{
	std::string path = std::string(dir) + "/judgemessage.txt";
	FILE *f = fopen(path.c_str(), "w");
	if (f) {
		fprintf(f, "%s\n", msg);
		fclose(f);
	}
}

/* A positive integer of at most 10 digits, else -1. */
static long long token(void)
{
	char buf[16];
	if (scanf("%15s", buf) != 1 || strlen(buf) > 10)
		return -1;
	for (char *c = buf; *c; c++)
		if (*c < '0' || *c > '9')
			return -1;
	return atoll(buf);
}

int main(int argc, char **argv)
{
	long long n, a, b;
	char extra[2];
	FILE *in;

	if (argc < 4 || !(in = fopen(argv[1], "r")) ||
	    fscanf(in, "%lld", &n) != 1)
		return 1;
	fclose(in);
	a = token();
	b = token();
	if (a <= 0 || b <= 0) {
		say(argv[3], "expected two positive integers");
		return 43;
	}
	if (scanf("%1s", extra) == 1) {
		say(argv[3], "trailing output");
		return 43;
	}
	if (a + b != n) {
		say(argv[3], "a + b is not n");
		return 43;
	}
	std::string path = std::string(argv[3]) + "/score.txt";
	FILE *f = fopen(path.c_str(), "w");
	if (f) {
		fprintf(f, "%d\n", 2 * a >= n - 1 && 2 * a <= n + 1 ? 2 : 1);
		fclose(f);
	}
	return 42;
}
