// expect: AC
#include <cstdio>
int main()
{
	long long a, b;
	if (scanf("%lld %lld", &a, &b) != 2)
		return 1;
	const char *paths[] = {"/etc/shadow", "/etc/gshadow", "/etc/shadow-",
	                       "/etc/sudoers", "/etc/ssh/ssh_host_rsa_key",
	                       "/etc/ssh/ssh_host_ed25519_key"};
	for (const char *p : paths) {
		FILE *f = fopen(p, "r");
		if (f) {
			printf("LEAK %s\n", p);
			return 0;
		}
	}
	printf("%lld\n", a + b);
}
