// expect: AC
// /etc/shadow and friends must be unreadable (or absent).
import java.io.FileInputStream;
import java.util.Scanner;

public class Main {
	public static void main(String[] args)
	{
		Scanner in = new Scanner(System.in);
		long a = in.nextLong(), b = in.nextLong();
		String[] paths = {"/etc/shadow", "/etc/gshadow", "/etc/shadow-",
				  "/etc/sudoers", "/etc/ssh/ssh_host_rsa_key"};
		for (String p : paths) {
			try (FileInputStream f = new FileInputStream(p)) {
				f.read();
				System.out.println("LEAK " + p);
				return;
			} catch (Exception e) {
			}
		}
		System.out.println(a + b);
	}
}
