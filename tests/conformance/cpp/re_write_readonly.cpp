// expect: RE
// detail: Segmentation Fault
// Writing into a string literal (read-only page).
int main()
{
	char *p = const_cast<char *>("constant");
	*(volatile char *)p = 'x';
	return 0;
}
