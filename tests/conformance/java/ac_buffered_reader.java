// expect: AC
// BufferedReader, StringTokenizer, PrintWriter, BigInteger.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.util.StringTokenizer;

public class Main {
	public static void main(String[] args) throws Exception
	{
		BufferedReader br =
			new BufferedReader(new InputStreamReader(System.in));
		StringTokenizer st = new StringTokenizer(br.readLine());
		BigInteger a = new BigInteger(st.nextToken());
		BigInteger b = new BigInteger(st.nextToken());
		PrintWriter out = new PrintWriter(System.out);
		out.println(a.add(b));
		out.flush();
	}
}
