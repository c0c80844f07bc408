// expect: CE
// detail: No such file
// The compiler runs in the sandbox too: the judge's secret is invisible
// (the runner also checks that the secret text appears in no result).
#include "/tmp/algocode-conformance/jwt.secret"
int main()
{
}
