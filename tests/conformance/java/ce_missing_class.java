// expect: CE
// detail: cannot find symbol
public class Main {
	public static void main(String[] args)
	{
		FastReader in = new FastReader();
		System.out.println(in.nextLong() + in.nextLong());
	}
}
