// expect: RE
// detail: Aborted
// std::out_of_range from vector::at, uncaught.
#include <cstdio>
#include <vector>
int main()
{
	std::vector<int> v(3);
	volatile size_t i = 10;
	printf("%d\n", v.at(i));
}
