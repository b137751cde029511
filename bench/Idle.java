// make bench: a JVM that only sleeps, to measure what each watched JVM adds to a scrape.
public class Idle {
    public static void main(String[] args) throws Exception {
        Thread.sleep(Long.MAX_VALUE);
    }
}
