import java.io.*;
import java.util.StringTokenizer;

public class Main {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        StringBuilder out = new StringBuilder();
        int q = Integer.parseInt(in.readLine().trim());
        for (int i = 0; i < q; i++) {
            long x = Long.parseLong(in.readLine().trim());
            long r = (long) Math.sqrt((double) x);
            while (r * r > x) r--;
            while ((r + 1) * (r + 1) <= x) r++;
            out.append(r).append('\n');
        }
        System.out.print(out);
    }
}
