import java.io.*;
import java.util.Arrays;

public class SortUnique {
    public static void main(String[] args) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(System.in, 1 << 16));
        int n = (int) next(in);
        long[] v = new long[n];
        for (int i = 0; i < n; i++)
            v[i] = next(in);
        Arrays.sort(v);
        int k = 0;
        for (int i = 0; i < n; i++)
            if (i == 0 || v[i] != v[i - 1])
                k++;
        System.out.println(k);
    }

    private static long next(DataInputStream in) throws IOException {
        int c = in.read();
        while (c == ' ' || c == '\n' || c == '\r')
            c = in.read();
        long r = 0;
        while (c >= '0' && c <= '9') {
            r = r * 10 + (c - '0');
            c = in.read();
        }
        return r;
    }
}
