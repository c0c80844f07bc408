// expect: CE
// detail: No such file
#include "/etc/shadow"
int main()
{
}
