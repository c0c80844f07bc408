/* A small stand-in for testlib.h, written for this example: only what
 * interactor.cpp uses, with testlib's interface and exit codes
 * (0 ok, 1 wrong answer, 2 presentation error, 3 fail, 7 points).
 * A real package ships the real testlib.h here; the judge only needs the
 * exit codes and the argument order `interactor input output answer`. */
#ifndef SMALL_TESTLIB_H
#define SMALL_TESTLIB_H
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <string>

enum TResult { _ok = 0, _wa = 1, _pe = 2, _fail = 3, _points = 7 };

static FILE *tout;

[[noreturn]] static void quitf(TResult r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	std::fprintf(stderr, "%s ", r == _ok ? "ok" : r == _wa ? "wrong answer"
	                            : r == _pe ? "wrong output format"
	                                       : "FAIL");
	std::vfprintf(stderr, fmt, ap);
	std::fputc('\n', stderr);
	va_end(ap);
	if (tout)
		std::fclose(tout);
	std::exit(r);
}

struct InStream {
	FILE *f = nullptr;
	TResult bad = _fail; /* what a read error means for this stream */

	long long readLong(long long lo, long long hi, const char *name)
	{
		char tok[32], *end;

		if (!f || std::fscanf(f, "%31s", tok) != 1)
			quitf(bad, "%s: expected an integer, found end of file",
			      name);
		long long v = std::strtoll(tok, &end, 10);
		if (*end || end == tok)
			quitf(bad, "%s: expected an integer, found \"%s\"", name,
			      tok);
		if (v < lo || v > hi)
			quitf(bad == _fail ? _fail : _wa,
			      "%s = %lld is out of [%lld, %lld]", name, v, lo,
			      hi);
		return v;
	}
};

static InStream inf, ouf, ans;

/* interactor input output [answer]: the contestant is stdin/stdout. */
static void registerInteraction(int argc, char **argv)
{
	if (argc < 3)
		quitf(_fail, "usage: interactor input output [answer]");
	inf.f = std::fopen(argv[1], "r");
	tout = std::fopen(argv[2], "w");
	ans.f = argc > 3 ? std::fopen(argv[3], "r") : nullptr;
	ouf.f = stdin;
	ouf.bad = _pe;
	if (!inf.f || !tout)
		quitf(_fail, "cannot open the input or the output file");
}
#endif
