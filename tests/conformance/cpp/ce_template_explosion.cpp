// expect: CE
// Each level instantiates two distinct types: 2^depth instantiations, far
// beyond what the compile limits allow (memory or time).
template <int N, int K> struct T {
	static const long v = T<N - 1, 2 * K>::v + T<N - 1, 2 * K + 1>::v;
};
template <int K> struct T<0, K> {
	static const long v = K & 1;
};
int main()
{
	return (int)T<40, 0>::v;
}
