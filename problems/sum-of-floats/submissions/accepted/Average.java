import java.io.*;
import java.util.StringTokenizer;

public class Average {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        int n = Integer.parseInt(in.readLine().trim());
        double sum = 0;
        int read = 0;
        while (read < n) {
            StringTokenizer st = new StringTokenizer(in.readLine());
            while (st.hasMoreTokens() && read < n) {
                sum += Double.parseDouble(st.nextToken());
                read++;
            }
        }
        System.out.printf("%.9f%n", sum / n);
    }
}
