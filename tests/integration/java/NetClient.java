// Test workload: sends N bytes over TCP to HOST:PORT, reads to EOF, prints what it moved.
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

public class NetClient {
    public static void main(String[] args) throws Exception {
        long n = Long.parseLong(args[2]), sent = 0, got = 0;
        byte[] buf = new byte[65536];
        try (Socket s = new Socket(args[0], Integer.parseInt(args[1]))) {
            OutputStream out = s.getOutputStream();
            while (sent < n) {
                int k = (int) Math.min(buf.length, n - sent);
                out.write(buf, 0, k);
                sent += k;
            }
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            for (int r; (r = in.read(buf)) > 0; ) got += r;
        }
        System.out.println("{\"phase\":\"done\",\"pid\":" + ProcessHandle.current().pid()
                + ",\"sent\":" + sent + ",\"received\":" + got + "}");
        System.out.flush();
        Thread.sleep(Long.parseLong(args[3]));
    }
}
