// A known number of each state call into RocksJava, loaded as Flink's state backends load it
// (NativeLibraryLoader.loadLibrary(dir): the library is extracted into dir under its own name,
// librocksdbjni-linux64.so). Usage: RocksCalls DIR N. Once the library is loaded and the
// database open it makes N puts and N gets of its own keys, each timed around the call as
// Flink's state latency tracking times them, and prints "ready <mean ns per get> <per put>";
// then waits for a line on stdin, makes N puts, N gets, N merges, N deletes, N seeks and N
// writes of one-entry batches, all with a column family as Flink's state calls do, prints
// "done <mean ns per get> <per put>" and waits for a line before it exits. The ForSt variant
// (ForSt's org.forstdb package, libforstjni-linux64.so) is this file with the package renamed.
// With N = 0 it never loads the library: it prints "ready 0 0" and waits for a line.
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;
import org.rocksdb.StringAppendOperator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.rocksdb.NativeLibraryLoader;

public class RocksCalls {
	/** n puts, then n gets of the same keys: the mean ns of each, timed around the call. */
	static long[] timed(RocksDB db, ColumnFamilyHandle cf, WriteOptions wo, String prefix, int n,
			    byte[] v) throws Exception {
		long getNs = 0, putNs = 0;
		for (int i = 0; i < n; i++) {
			byte[] k = (prefix + i).getBytes(StandardCharsets.UTF_8);
			long t = System.nanoTime();
			db.put(cf, wo, k, v);
			putNs += System.nanoTime() - t;
		}
		for (int i = 0; i < n; i++) {
			byte[] k = (prefix + i).getBytes(StandardCharsets.UTF_8);
			long t = System.nanoTime();
			if (db.get(cf, k) == null)
				throw new IllegalStateException("missing " + prefix + i);
			getNs += System.nanoTime() - t;
		}
		return new long[] { getNs / n, putNs / n };
	}

	public static void main(String[] a) throws Exception {
		File dir = new File(a[0]);
		int n = Integer.parseInt(a[1]);
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
		if (n == 0) { // a JVM that never loads the library: as a TaskManager on the hashmap backend
			System.out.println("ready 0 0");
			System.out.flush();
			in.readLine();
			return;
		}
		NativeLibraryLoader.getInstance().loadLibrary(dir.getAbsolutePath());
		List<ColumnFamilyHandle> handles = new ArrayList<>();
		ColumnFamilyOptions cfo = new ColumnFamilyOptions().setMergeOperator(new StringAppendOperator());
		List<ColumnFamilyDescriptor> cfs = List.of(
			new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfo),
			new ColumnFamilyDescriptor("state".getBytes(StandardCharsets.UTF_8), cfo));
		DBOptions o = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
		try (RocksDB db = RocksDB.open(o, new File(dir, "db").getAbsolutePath(), cfs, handles);
		     WriteOptions wo = new WriteOptions().setDisableWAL(true)) {
			ColumnFamilyHandle cf = handles.get(1);
			byte[] v = new byte[16];
			long[] warm = timed(db, cf, wo, "warm-", n, v);
			System.out.println("ready " + warm[0] + " " + warm[1]);
			System.out.flush();
			in.readLine();
			long[] t = timed(db, cf, wo, "key-", n, v);
			for (int i = 0; i < n; i++)
				db.merge(cf, wo, ("key-" + i).getBytes(StandardCharsets.UTF_8), v);
			try (RocksIterator it = db.newIterator(cf)) {
				for (int i = 0; i < n; i++)
					it.seek(("key-" + i).getBytes(StandardCharsets.UTF_8));
			}
			for (int i = 0; i < n; i++)
				db.delete(cf, wo, ("key-" + i).getBytes(StandardCharsets.UTF_8));
			for (int i = 0; i < n; i++)
				try (WriteBatch b = new WriteBatch()) {
					b.put(cf, ("batch-" + i).getBytes(StandardCharsets.UTF_8), v);
					db.write(wo, b);
				}
			System.out.println("done " + t[0] + " " + t[1]);
			System.out.flush();
			in.readLine();
			for (ColumnFamilyHandle h : handles)
				h.close();
		}
	}
}
