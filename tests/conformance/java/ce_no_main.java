// expect: CE
// detail: main(String[])
// A class without a main method compiles but cannot be run.
public class Main {
	public static int solve(int a, int b)
	{
		return a + b;
	}
}
