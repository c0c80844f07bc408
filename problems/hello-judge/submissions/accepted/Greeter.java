// The public class is not called Main: the judge renames the file.
import java.io.BufferedReader;
import java.io.InputStreamReader;

public class Greeter {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String name = in.readLine();
        System.out.println("Hello, " + (name == null ? "" : name) + "!");
    }
}
