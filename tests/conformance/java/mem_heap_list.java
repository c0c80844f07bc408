// expect: MLE
// 1 MiB arrays kept in a list until the heap is full: OutOfMemoryError.
import java.util.ArrayList;
import java.util.List;

public class Main {
	public static void main(String[] args)
	{
		List<byte[]> l = new ArrayList<>();
		for (;;) {
			byte[] b = new byte[1 << 20];
			b[b.length - 1] = 1;
			l.add(b);
		}
	}
}
