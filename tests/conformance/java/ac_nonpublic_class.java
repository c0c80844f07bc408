// expect: AC
// No public class: the main method is in a package-private class A.
import java.util.Scanner;

class A {
	public static void main(String[] args)
	{
		Scanner in = new Scanner(System.in);
		System.out.println(in.nextLong() + in.nextLong());
	}
}
