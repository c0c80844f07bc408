// expect: AC
// A daemon started through setsid(1) and a backgrounded subshell; the JVM
// answers and exits without waiting.  Nothing may survive the run (the
// runner looks for the marker in the shell's command line).
import java.util.Scanner;

public class Main {
	public static void main(String[] args) throws Exception
	{
		Scanner in = new Scanner(System.in);
		long a = in.nextLong(), b = in.nextLong();
		Process p = new ProcessBuilder(
			"/usr/bin/setsid", "/bin/sh", "-c",
			"(exec </dev/null >/dev/null 2>&1;"
			+ " while :; do sleep 1; done; : acconfmark) & exit 0")
				    .start();
		p.waitFor();
		System.out.println(a + b);
	}
}
