// expect: AC
// A public class named with a letter beyond the BMP (U+1D504, stored in
// the class file as a surrogate pair in modified UTF-8): the Java plugin
// hands the launcher the name in UTF-8.
import java.util.Scanner;

public class 𝔄lgo {
	public static void main(String[] args)
	{
		Scanner in = new Scanner(System.in);
		System.out.println(in.nextLong() + in.nextLong());
	}
}
