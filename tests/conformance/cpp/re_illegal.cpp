// expect: RE
// detail: Illegal Instruction
int main()
{
	__builtin_trap();
}
