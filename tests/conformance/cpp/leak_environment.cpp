// expect: AC
// The environment is the language's, nothing of the judge's.
#include <cstdio>
#include <cstring>
extern char **environ;
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	const char *ok[] = {"PATH=", "LANG=", "HOME=", "TMPDIR="};
	for (char **e = environ; *e; e++) {
		bool known = false;
		for (const char *k : ok)
			known |= strncmp(*e, k, strlen(k)) == 0;
		if (!known) {
			printf("LEAK %s\n", *e);
			return 0;
		}
	}
	printf("%lld\n", a + b);
}
