// expect: AC
// The program may run the image's shell (ProcessBuilder), but the shell
// gets no more than the program: no /etc/shadow, no writes outside the box.
import java.io.IOException;
import java.util.Scanner;

public class Main {
	static String run(String script) throws Exception
	{
		Process p = new ProcessBuilder("/bin/sh", "-c", script)
				    .start();
		String out = new String(p.getInputStream().readAllBytes()).trim();
		p.waitFor();
		return out;
	}

	public static void main(String[] args) throws Exception
	{
		Scanner in = new Scanner(System.in);
		long a = in.nextLong(), b = in.nextLong();
		String bad = run(
			"cat /etc/shadow 2>/dev/null >/dev/null && echo LEAK-shadow;"
			+ "echo x 2>/dev/null >/acconf-escape-sh && echo WROTE-root;"
			+ "echo x 2>/dev/null >/etc/acconf-escape-sh && echo WROTE-etc;"
			+ "true");
		if (!bad.isEmpty()) {
			System.out.println(bad.replace('\n', ' '));
			return;
		}
		System.out.println(run("expr " + a + " + " + b));
	}
}
