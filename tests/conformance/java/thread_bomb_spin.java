// expect: TLE
// detail: cpu
// As many spinning threads as it may start (the JVM's "unable to create
// native thread" is caught), then spins itself.
public class Main {
	static volatile long x;

	static void spin()
	{
		for (;;)
			x++;
	}

	public static void main(String[] args)
	{
		try {
			for (int i = 0; i < 1000; i++) {
				Thread t = new Thread(Main::spin);
				t.setDaemon(true);
				t.start();
			}
		} catch (Throwable e) {
		}
		spin();
	}
}
