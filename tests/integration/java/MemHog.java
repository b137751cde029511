// Test workload: opens N extra file descriptors, prints its pid, waits for a line on stdin, then
// allocates and touches 1 MiB arrays, keeping every one, until the heap or the container's memory
// limit stops it (run with -Xmx above the limit: the kernel's OOM killer ends it first).
import java.io.FileInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

public class MemHog {
    public static void main(String[] args) throws Exception {
        List<InputStream> fds = new ArrayList<>();
        for (int i = 0; i < Integer.parseInt(args[0]); i++) fds.add(new FileInputStream("/dev/null"));
        System.out.println("{\"phase\":\"ready\",\"pid\":" + ProcessHandle.current().pid() + "}");
        System.out.flush();
        if (System.in.read() < 0) return;
        List<byte[]> keep = new ArrayList<>();
        for (;;) {
            byte[] b = new byte[1 << 20];
            for (int i = 0; i < b.length; i += 4096) b[i] = 1;
            keep.add(b);
        }
    }
}
