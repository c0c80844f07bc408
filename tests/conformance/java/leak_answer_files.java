// expect: AC
// The expected answer must be out of reach: the problem's host path, paths
// relative to the box, the path behind stdin.
import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Scanner;

public class Main {
	public static void main(String[] args)
	{
		Scanner in = new Scanner(System.in);
		long a = in.nextLong(), b = in.nextLong();
		List<String> paths = new ArrayList<>(List.of(
			"/tmp/algocode-conformance/problem/data/sample/1.ans",
			"/tmp/algocode-conformance/problem/data/secret/1.ans",
			"../data/sample/1.ans", "../../data/sample/1.ans",
			"/box/../data/sample/1.ans", "/data/sample/1.ans",
			"/proc/self/cwd/../data/sample/1.ans"));
		try {
			String s = Files.readSymbolicLink(Paths.get("/proc/self/fd/0"))
					   .toString();
			if (s.endsWith(".in"))
				paths.add(s.substring(0, s.length() - 3) + ".ans");
		} catch (Exception e) {
		}
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
