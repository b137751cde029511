// Test workload: prints its pid, sleeps, then exits with the given code.
public class Exiter {
    public static void main(String[] args) throws Exception {
        System.out.println("{\"phase\":\"done\",\"pid\":" + ProcessHandle.current().pid() + "}");
        System.out.flush();
        Thread.sleep(Long.parseLong(args[1]));
        System.exit(Integer.parseInt(args[0]));
    }
}
