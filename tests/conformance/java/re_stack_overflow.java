// expect: RE
// detail: exit code 1
// Unbounded recursion: the JVM's stack guard throws StackOverflowError
// (the thread stack is a quarter of the heap, far from the memory limit),
// an uncaught exception like any other.
public class Main {
	static long f(long n)
	{
		return f(n + 1) + 1;
	}

	public static void main(String[] args)
	{
		System.out.println(f(0));
	}
}
