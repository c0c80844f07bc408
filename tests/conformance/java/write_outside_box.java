// expect: AC
// Files outside /box and /tmp: the root, /etc, /usr, the JDK, /dev.
import java.io.File;
import java.util.Scanner;

public class Main {
	public static void main(String[] args)
	{
		Scanner in = new Scanner(System.in);
		long a = in.nextLong(), b = in.nextLong();
		String[] paths = {"/acconf-escape", "/etc/acconf-escape",
				  "/usr/acconf-escape", "/usr/local/acconf-escape",
				  "/usr/lib/jvm/acconf-escape", "/bin/acconf-escape",
				  "/dev/acconf-escape", "/box/../acconf-escape",
				  "/var/tmp/acconf-escape", "/root/acconf-escape",
				  "/run/acconf-escape",
				  "/tmp/algocode-conformance/acconf-escape"};
		for (String p : paths) {
			File f = new File(p);
			try {
				if (f.createNewFile()) {
					System.out.println("WROTE " + p);
					return;
				}
			} catch (Exception e) {
			}
			if (f.mkdir()) {
				System.out.println("MKDIR " + p);
				return;
			}
		}
		if (new File("/etc/passwd").delete() ||
		    new File("/etc/hosts").renameTo(new File("/etc/x"))) {
			System.out.println("MODIFIED");
			return;
		}
		System.out.println(a + b);
	}
}
