// expect: AC
// TCP to 127.0.0.1: the runner's listener (28080), the API port (8080) and
// the usual services; a UDP datagram to the runner (28081).
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Scanner;

public class Main {
	public static void main(String[] args)
	{
		Scanner in = new Scanner(System.in);
		long a = in.nextLong(), b = in.nextLong();
		int[] ports = {28080, 8080, 8081, 80, 22, 5672, 4222, 6379};
		for (int port : ports) {
			try (Socket s = new Socket()) {
				s.connect(new InetSocketAddress("127.0.0.1", port), 500);
				System.out.println("CONNECTED " + port);
				return;
			} catch (Exception e) {
			}
		}
		try (DatagramSocket u = new DatagramSocket()) {
			byte[] m = "acconf".getBytes();
			u.send(new DatagramPacket(m, m.length,
						  InetAddress.getLoopbackAddress(), 28081));
		} catch (Exception e) {
		}
		System.out.println(a + b);
	}
}
