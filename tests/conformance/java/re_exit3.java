// expect: RE
// detail: exit code 3
import java.util.Scanner;

public class Main {
	public static void main(String[] args)
	{
		Scanner in = new Scanner(System.in);
		System.out.println(in.nextLong() + in.nextLong());
		System.out.flush();
		System.exit(3);
	}
}
