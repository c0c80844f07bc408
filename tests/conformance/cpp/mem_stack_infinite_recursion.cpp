// expect: MLE
// Infinite recursion: the stack is as large as the memory limit, so the
// overflow happens at the limit (MLE by the heuristic or the OOM kill).
static int f(int n)
{
	volatile char pad[128];
	pad[0] = (char)n;
	return f(n + 1) + pad[0];
}
int main()
{
	return f(0);
}
