// Newton's iteration started at r = x / 2: for x < 2 the start is 0 and
// x / r throws ArithmeticException ("/ by zero"), never caught.
import java.io.*;

public class NewtonDivZero {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        int q = Integer.parseInt(in.readLine().trim());
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < q; i++) {
            long x = Long.parseLong(in.readLine().trim());
            long r = x / 2;
            while (r > x / r)
                r = (r + x / r) / 2;
            out.append(r).append('\n');
        }
        System.out.print(out);
    }
}
