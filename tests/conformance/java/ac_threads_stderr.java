// expect: AC
// Two worker threads, a temporary file in /tmp and chatter on stderr.
import java.io.File;
import java.nio.file.Files;
import java.util.Scanner;
import java.util.concurrent.atomic.AtomicLong;

public class Main {
	public static void main(String[] args) throws Exception
	{
		Scanner in = new Scanner(System.in);
		long a = in.nextLong(), b = in.nextLong();
		System.err.println("debug: " + a + " " + b);
		AtomicLong sum = new AtomicLong();
		Thread t1 = new Thread(() -> sum.addAndGet(a));
		Thread t2 = new Thread(() -> sum.addAndGet(b));
		t1.start();
		t2.start();
		t1.join();
		t2.join();
		File f = File.createTempFile("acconf", ".txt");
		Files.writeString(f.toPath(), Long.toString(sum.get()));
		String s = Files.readString(f.toPath());
		f.delete();
		System.out.println(s);
	}
}
