// Test workload: allocates to force GC pauses, holds extra threads, and prints its own MXBean
// numbers (the oracle jvmtap is compared with) as JSON lines on stdout.
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

public class GcWorkload {
    static volatile Object sink;

    static String stats() {
        StringBuilder sb = new StringBuilder("{\"gc\":{");
        boolean first = true;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (!first) sb.append(',');
            first = false;
            sb.append('"').append(gc.getName()).append("\":[").append(gc.getCollectionCount())
              .append(',').append(gc.getCollectionTime()).append(']');
        }
        java.lang.management.MemoryUsage h = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        sb.append("},\"heap\":[").append(h.getUsed()).append(',').append(h.getCommitted())
          .append(',').append(h.getMax()).append("],\"maxMemory\":")
          .append(Runtime.getRuntime().maxMemory()).append(",\"pools\":{");
        first = true;
        for (java.lang.management.MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (!first) sb.append(',');
            first = false;
            java.lang.management.MemoryUsage u = p.getUsage();
            sb.append('"').append(p.getName()).append("\":[").append(u.getUsed()).append(',')
              .append(u.getCommitted()).append(',').append(u.getMax()).append(']');
        }
        ThreadMXBean t = ManagementFactory.getThreadMXBean();
        sb.append("},\"threads\":").append(t.getThreadCount())
          .append(",\"daemon\":").append(t.getDaemonThreadCount())
          .append(",\"started\":").append(t.getTotalStartedThreadCount())
          .append(",\"pid\":").append(ProcessHandle.current().pid()).append('}');
        return sb.toString();
    }

    // args: allocSeconds sleepSeconds extraThreads [fullGcs]
    public static void main(String[] args) throws Exception {
        double allocSeconds = Double.parseDouble(args[0]);
        double sleepSeconds = Double.parseDouble(args[1]);
        int extra = Integer.parseInt(args[2]);
        int fullGcs = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        for (int i = 0; i < extra; i++) {
            Thread th = new Thread(() -> {
                try { Thread.sleep(Long.MAX_VALUE); } catch (InterruptedException e) { }
            }, "extra-" + i);
            th.setDaemon(i % 2 == 0);
            th.start();
        }
        System.out.println("{\"phase\":\"started\"," + stats().substring(1));
        System.out.flush();
        List<byte[]> keep = new ArrayList<>();
        long end = System.nanoTime() + (long) (allocSeconds * 1e9);
        long n = 0;
        while (System.nanoTime() < end) {
            sink = new byte[1024];
            if (++n % 64 == 0) keep.add(new byte[4096]);   // some survivors: promotion, old gen
            if (keep.size() > 4000) keep.clear();
        }
        for (int i = 0; i < fullGcs; i++) System.gc();
        System.out.println("{\"phase\":\"done\"," + stats().substring(1));
        System.out.flush();
        Thread.sleep((long) (sleepSeconds * 1000));
        System.out.println("{\"phase\":\"exit\"," + stats().substring(1));
        System.out.flush();
        System.exit(0);
    }
}
