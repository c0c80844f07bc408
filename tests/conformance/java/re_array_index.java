// expect: RE
// detail: exit code 1
public class Main {
	public static void main(String[] args)
	{
		int[] a = new int[3];
		int i = args.length + 5;
		System.out.println(a[i]);
	}
}
