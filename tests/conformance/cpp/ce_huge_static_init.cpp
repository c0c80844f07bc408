// expect: CE
// A 1 GiB initialised array: the object file exceeds the compile file size
// limit.
char big[1u << 30] = {1};
int main()
{
	return big[12345];
}
