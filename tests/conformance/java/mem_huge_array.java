// expect: MLE
// One array far larger than the heap: OutOfMemoryError at once.
public class Main {
	public static void main(String[] args)
	{
		long[] a = new long[1 << 30];
		a[args.length] = 1;
		System.out.println(a.length);
	}
}
