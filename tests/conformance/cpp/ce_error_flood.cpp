// expect: CE
// Thousands of errors: the compile log is truncated, the verdict is CE.
#define E1 undeclared_identifier_xyz;
#define E2 E1 E1 E1 E1 E1 E1 E1 E1 E1 E1
#define E3 E2 E2 E2 E2 E2 E2 E2 E2 E2 E2
#define E4 E3 E3 E3 E3 E3 E3 E3 E3 E3 E3
int main()
{
	E4 E4 E4
}
