// expect: CE
// detail: template instantiation depth
template <int N> struct F {
	static const long v = F<N - 1>::v + F<N - 2>::v;
};
template <> struct F<0> {
	static const long v = 0;
};
template <> struct F<1> {
	static const long v = 1;
};
int main()
{
	return (int)F<100000>::v;
}
