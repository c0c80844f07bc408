// A boolean table indexed by the id: 2 GiB of heap under a 32 MiB heap
// limit, java.lang.OutOfMemoryError: the judge reports MLE.
import java.io.*;

public class SeenTable {
    public static void main(String[] args) throws IOException {
        boolean[] seen = new boolean[Integer.MAX_VALUE - 8];
        System.out.println(seen.length);
    }
}
