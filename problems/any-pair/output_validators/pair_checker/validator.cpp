// Output validator for "Any Pair".
//
// Usage: validator input answer feedback_dir < team_output
// Exit 42: correct, 43: wrong, 1: judge error (bad input or answer file).
// The judge's answer only says whether a pair exists ("-1" or any pair);
// the team's pair is checked against the input itself.
//
// The team output is hostile: it is read one bounded token at a time and
// never more than three tokens are looked at.
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

static const int AC = 42, WA = 43, JE = 1;
static std::string feedback_dir;

static void message(const char *fmt, va_list ap)
{
	char buf[512];
	vsnprintf(buf, sizeof buf, fmt, ap);
	std::string path = feedback_dir + "/judgemessage.txt";
	FILE *f = fopen(path.c_str(), "w");
	if (f) {
		fprintf(f, "%s\n", buf);
		fclose(f);
	}
}

[[noreturn]] static void verdict(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	message(fmt, ap);
	va_end(ap);
	if (code == JE) {
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		va_end(ap);
	}
	exit(code);
}

// Reads the next whitespace-separated token of at most max chars.
// Returns 0 at end of file, 1 with a token, -1 when the token is too long
// or contains a NUL byte.
static int next_token(FILE *f, char *tok, size_t max)
{
	int c;
	do
		c = getc(f);
	while (c != EOF && (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	                    c == '\v' || c == '\f'));
	if (c == EOF)
		return 0;
	size_t len = 0;
	while (c != EOF && !(c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	                     c == '\v' || c == '\f')) {
		if (len == max || c == '\0')
			return -1;
		tok[len++] = (char)c;
		c = getc(f);
	}
	tok[len] = '\0';
	return 1;
}

// A strict decimal integer ("-12", no "+", no leading zeros rule needed).
static bool parse_ll(const char *s, long long *out)
{
	if (*s == '\0')
		return false;
	const char *p = s;
	if (*p == '-')
		p++;
	if (*p == '\0' || strlen(p) > 18)
		return false;
	for (const char *q = p; *q; q++)
		if (*q < '0' || *q > '9')
			return false;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static long long read_judge_ll(FILE *f, const char *what)
{
	char tok[64];
	long long v;
	if (next_token(f, tok, sizeof tok - 1) != 1 || !parse_ll(tok, &v))
		verdict(JE, "judge file: cannot read %s", what);
	return v;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s input answer feedback_dir\n",
		        argv[0]);
		return JE;
	}
	feedback_dir = argv[3];
	FILE *in = fopen(argv[1], "r");
	FILE *ans = fopen(argv[2], "r");
	if (!in || !ans)
		verdict(JE, "cannot open %s", !in ? argv[1] : argv[2]);

	long long n = read_judge_ll(in, "n");
	long long target = read_judge_ll(in, "T");
	if (n < 2 || n > 200000)
		verdict(JE, "input: bad n %lld", n);
	std::vector<long long> a((size_t)n);
	for (auto &x : a)
		x = read_judge_ll(in, "a_i");

	long long judge_first = read_judge_ll(ans, "the answer");
	bool judge_has_pair = judge_first != -1;

	char tok[32];
	long long i, j;
	int r = next_token(stdin, tok, sizeof tok - 1);
	if (r == 0)
		verdict(WA, "no output");
	if (r < 0)
		verdict(WA, "first token is too long or not text");
	if (!parse_ll(tok, &i))
		verdict(WA, "expected an integer, got \"%.20s\"", tok);
	if (i == -1) {
		if (next_token(stdin, tok, sizeof tok - 1) != 0)
			verdict(WA, "trailing output after -1");
		if (judge_has_pair)
			verdict(WA, "printed -1 but a pair exists");
		verdict(AC, "correctly found no pair");
	}
	r = next_token(stdin, tok, sizeof tok - 1);
	if (r == 0)
		verdict(WA, "expected two indices, got one");
	if (r < 0 || !parse_ll(tok, &j))
		verdict(WA, "second index is not an integer");
	if (next_token(stdin, tok, sizeof tok - 1) != 0)
		verdict(WA, "trailing output after the pair");
	if (i < 1 || i > n || j < 1 || j > n)
		verdict(WA, "index out of range 1..%lld: %lld %lld", n, i, j);
	if (i >= j)
		verdict(WA, "need i < j, got %lld %lld", i, j);
	long long sum = a[(size_t)(i - 1)] + a[(size_t)(j - 1)];
	if (sum != target)
		verdict(WA, "a[%lld] + a[%lld] = %lld, not %lld", i, j, sum,
		        target);
	if (!judge_has_pair)
		verdict(JE,
		        "team found a valid pair %lld %lld but the judge "
		        "answer says -1",
		        i, j);
	verdict(AC, "valid pair");
}
