// Reads past the end of the input: an uncaught exception (exit status 1).
import java.util.Scanner;

public class Main {
    public static void main(String[] args) {
        Scanner sc = new Scanner(System.in);
        int n = sc.nextInt();
        java.util.HashSet<Long> seen = new java.util.HashSet<>();
        for (int i = 0; i <= n; i++)
            seen.add(sc.nextLong()); // one more than there is
        System.out.println(seen.size());
    }
}
