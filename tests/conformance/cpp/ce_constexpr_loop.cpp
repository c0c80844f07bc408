// expect: CE
// detail: constexpr
constexpr long spin()
{
	long s = 0;
	for (long i = 0; i < (1L << 40); i++)
		s += i;
	return s;
}
constexpr long x = spin();
int main()
{
	return (int)x;
}
