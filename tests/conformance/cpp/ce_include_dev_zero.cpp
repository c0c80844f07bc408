// expect: CE
// The preprocessor reads an endless file: the compile memory limit ends it.
#include "/dev/zero"
int main()
{
}
