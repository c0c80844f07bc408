// Always 0: no group.  @EXPECTED_SCORE@: 0
#include <cstdio>
int main()
{
	puts("0");
	return 0;
}
