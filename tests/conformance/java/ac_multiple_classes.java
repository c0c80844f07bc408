// expect: AC
// Several top-level and nested classes, a decoy main in a helper class; the
// public class Main is the entry point.
import java.util.ArrayList;
import java.util.List;
import java.util.Scanner;

class Helper {
	public static void main(String[] args)
	{
		System.out.println("WRONG-ENTRY");
	}

	static long add(long a, long b)
	{
		return a + b;
	}
}

interface Op {
	long apply(long a, long b);
}

public class Main {
	static class Pair {
		final long a, b;

		Pair(long a, long b)
		{
			this.a = a;
			this.b = b;
		}
	}

	public static void main(String[] args)
	{
		Scanner in = new Scanner(System.in);
		Pair p = new Pair(in.nextLong(), in.nextLong());
		Op op = Helper::add;
		List<Long> l = new ArrayList<>();
		l.add(op.apply(p.a, p.b));
		System.out.println(l.get(0));
	}
}
