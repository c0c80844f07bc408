import java.io.*;
import java.util.HashMap;
import java.util.StringTokenizer;

public class HashPair {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in), 1 << 16);
        StringTokenizer st = new StringTokenizer(in.readLine());
        int n = Integer.parseInt(st.nextToken());
        long t = Long.parseLong(st.nextToken());
        HashMap<Long, Integer> seen = new HashMap<>(2 * n);
        st = new StringTokenizer(in.readLine());
        for (int j = 1; j <= n; j++) {
            long a = Long.parseLong(st.nextToken());
            Integer i = seen.get(t - a);
            if (i != null) {
                System.out.println(i + " " + j);
                return;
            }
            seen.putIfAbsent(a, j);
        }
        System.out.println(-1);
    }
}
