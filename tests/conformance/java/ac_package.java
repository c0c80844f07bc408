// expect: AC
// A class in a package: the main class is found in the box's class tree.
package contest.solution;

import java.util.Scanner;

public class Main {
	public static void main(String[] args)
	{
		Scanner in = new Scanner(System.in);
		System.out.println(in.nextLong() + in.nextLong());
	}
}
