// Interactive validator (Kattis protocol): validator input answer feedback_dir.
// Reads guesses from the submission on stdin, answers on stdout; exits 42
// when the number is found within 10 guesses, 43 otherwise.
#include <cstdio>
#include <cstdlib>
#include <string>

static FILE *msg;

[[noreturn]] static void wrong(const char *why)
{
	std::fprintf(msg, "%s\n", why);
	std::exit(43);
}

int main(int argc, char **argv)
{
	if (argc < 4)
		return 1;
	FILE *in = std::fopen(argv[1], "r");
	std::string fb = std::string(argv[3]) + "/judgemessage.txt";
	msg = std::fopen(fb.c_str(), "w");
	int n;
	if (!in || !msg || std::fscanf(in, "%d", &n) != 1)
		return 1; // judge error
	for (int q = 1; q <= 10; q++) {
		char tok[32], *end;
		if (std::scanf("%31s", tok) != 1)
			wrong("no guess: the submission's output ended");
		long g = std::strtol(tok, &end, 10);
		if (*end || end == tok || g < 1 || g > 1000)
			wrong("a guess is not a number from 1 to 1000");
		if (g == n) {
			std::printf("correct\n");
			std::fflush(stdout);
			if (std::scanf("%31s", tok) == 1)
				wrong("output after the correct guess");
			std::fprintf(msg, "found %d in %d guesses\n", n, q);
			return 42;
		}
		std::printf(g < n ? "higher\n" : "lower\n");
		std::fflush(stdout);
	}
	wrong("more than 10 guesses");
}
