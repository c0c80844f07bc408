import java.io.*;

public class Countdown {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        int n = Integer.parseInt(in.readLine().trim());
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out)));
        for (int i = n; i >= 0; i--)
            out.println(i);
        out.println("Liftoff!");
        out.flush();
    }
}
