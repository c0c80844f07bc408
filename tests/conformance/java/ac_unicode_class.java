// expect: AC
// A public class named in non-ASCII letters (javac wants Решение.java):
// the Java plugin renames the file to the name javac gives (issue 17).
import java.util.Scanner;

public class Решение {
	public static void main(String[] args)
	{
		Scanner in = new Scanner(System.in);
		long a = in.nextLong(), b = in.nextLong();
		Помощник h = new Помощник();
		System.out.println(h.сумма(a, b));
	}
}

class Помощник {
	long сумма(long x, long y)
	{
		return x + y;
	}
}
