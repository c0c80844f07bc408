// expect: RE
// detail: Aborted
#include <cstdlib>
int main()
{
	abort();
}
