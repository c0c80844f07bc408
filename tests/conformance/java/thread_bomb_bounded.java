// expect: AC
// Starts sleeping threads until the JVM cannot create one, then answers.
// More than 1000 threads would mean no process limit: a wrong answer then.
import java.util.Scanner;

public class Main {
	public static void main(String[] args)
	{
		Scanner in = new Scanner(System.in);
		long a = in.nextLong(), b = in.nextLong();
		int n = 0;
		try {
			for (; n < 2000; n++) {
				Thread t = new Thread(null, () -> {
					try {
						Thread.sleep(1000000);
					} catch (InterruptedException e) {
					}
				}, "sleeper", 64 << 10);
				t.setDaemon(true);
				t.start();
			}
		} catch (Throwable e) {
		}
		System.out.println(n >= 1000 ? "THREADS " + n : Long.toString(a + b));
		System.out.flush();
		Runtime.getRuntime().halt(0);
	}
}
