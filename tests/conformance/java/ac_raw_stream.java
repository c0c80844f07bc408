// expect: AC
// A hand-written reader on System.in.read() and a byte write.
import java.io.IOException;

public class Main {
	static long next() throws IOException
	{
		int c = System.in.read();
		while (c == ' ' || c == '\n' || c == '\r')
			c = System.in.read();
		boolean neg = c == '-';
		if (neg)
			c = System.in.read();
		long v = 0;
		while (c >= '0' && c <= '9') {
			v = v * 10 + (c - '0');
			c = System.in.read();
		}
		return neg ? -v : v;
	}

	public static void main(String[] args) throws IOException
	{
		long s = next() + next();
		System.out.write((s + "\n").getBytes());
		System.out.flush();
	}
}
