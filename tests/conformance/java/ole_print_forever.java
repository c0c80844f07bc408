// expect: OLE
public class Main {
	public static void main(String[] args)
	{
		for (;;)
			System.out.println("3 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3");
	}
}
