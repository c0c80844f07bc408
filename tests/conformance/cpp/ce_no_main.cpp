// expect: CE
// detail: undefined reference
int not_main()
{
	return 0;
}
