#include <cstdio>
int main()
{
	int lo = 1, hi = 1000000;
	char r[4];
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		std::printf("%d\n", mid);
		std::fflush(stdout);
		if (std::scanf("%3s", r) != 1 || r[0] == '=')
			return 0;
		if (r[0] == '>')
			lo = mid + 1;
		else
			hi = mid - 1;
	}
}
