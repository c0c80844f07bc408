// expect: RE
// detail: exit code 1
public class Main {
	public static void main(String[] args)
	{
		throw new IllegalStateException("uncaught");
	}
}
