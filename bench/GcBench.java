// make bench: a fixed amount of allocation that keeps G1 busy; prints its wall time in ms.
public class GcBench {
    static volatile Object sink;

    public static void main(String[] args) {
        long n = Long.parseLong(args[0]);
        Object[] keep = new Object[4096];
        long t0 = System.nanoTime();
        for (long i = 0; i < n; i++) {
            sink = new byte[1024];
            if ((i & 63) == 0) keep[(int) ((i >> 6) & 4095)] = new byte[4096];
        }
        System.out.println((System.nanoTime() - t0) / 1000000);
    }
}
