// expect: AC
// One array of three quarters of the 64 MiB limit (48 MiB), every element
// touched: it must fit, as the same array does in C++.  With the serial
// collector's default split (old generation = 2/3 of the heap) it was an
// OutOfMemoryError (MLE); the judge gives the old generation 7/8.
import java.util.Scanner;

public class Main {
	public static void main(String[] args)
	{
		Scanner in = new Scanner(System.in);
		long a = in.nextLong(), b = in.nextLong();
		int[] big = new int[12 * 1024 * 1024];
		for (int i = 0; i < big.length; i++)
			big[i] = i;
		System.out.println(a + b + big[big.length - 1] - (big.length - 1));
	}
}
