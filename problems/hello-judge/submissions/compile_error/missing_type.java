// "var" is fine, a missing type on a field is not.
public class Main {
    static count = 0;
    public static void main(String[] args) {
        System.out.println("Hello, World!");
    }
}
