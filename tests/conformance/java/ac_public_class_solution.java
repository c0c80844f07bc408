// expect: AC
// A public class that is not named Main (javac wants Solution.java).
import java.util.Scanner;

public class Solution {
	public static void main(String[] args)
	{
		Scanner in = new Scanner(System.in);
		System.out.println(in.nextLong() + in.nextLong());
	}
}
