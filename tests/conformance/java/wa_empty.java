// expect: WA
// detail: ended early
public class Main {
	public static void main(String[] args)
	{
	}
}
