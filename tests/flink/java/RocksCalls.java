// A known number of each state call into RocksJava, loaded as Flink's state backends load it
// (NativeLibraryLoader.loadLibrary(dir): the library is extracted into dir under its own name,
// librocksdbjni-linux64.so). Usage: RocksCalls DIR N. Prints "ready" once the library is
// loaded and the database open, waits for a line on stdin, then makes N puts, N gets, N
// merges, N deletes, N seeks and N writes of one-entry batches, all with a column family as
// Flink's state calls do, prints "done <mean ns per get> <per put>" (timed around each call,
// as Flink's state latency tracking does) and waits for a line before it exits.
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
	public static void main(String[] a) throws Exception {
		File dir = new File(a[0]);
		int n = Integer.parseInt(a[1]);
		NativeLibraryLoader.getInstance().loadLibrary(dir.getAbsolutePath());
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
		List<ColumnFamilyHandle> handles = new ArrayList<>();
		ColumnFamilyOptions cfo = new ColumnFamilyOptions().setMergeOperator(new StringAppendOperator());
		List<ColumnFamilyDescriptor> cfs = List.of(
			new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfo),
			new ColumnFamilyDescriptor("state".getBytes(StandardCharsets.UTF_8), cfo));
		DBOptions o = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
		try (RocksDB db = RocksDB.open(o, new File(dir, "db").getAbsolutePath(), cfs, handles);
		     WriteOptions wo = new WriteOptions().setDisableWAL(true)) {
			ColumnFamilyHandle cf = handles.get(1);
			System.out.println("ready");
			System.out.flush();
			in.readLine();
			byte[] v = new byte[16];
			long getNs = 0, putNs = 0;
			for (int i = 0; i < n; i++) {
				byte[] k = ("key-" + i).getBytes(StandardCharsets.UTF_8);
				long t = System.nanoTime();
				db.put(cf, wo, k, v);
				putNs += System.nanoTime() - t;
			}
			for (int i = 0; i < n; i++) {
				byte[] k = ("key-" + i).getBytes(StandardCharsets.UTF_8);
				long t = System.nanoTime();
				if (db.get(cf, k) == null)
					throw new IllegalStateException("missing " + i);
				getNs += System.nanoTime() - t;
			}
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
			System.out.println("done " + getNs / n + " " + putNs / n);
			System.out.flush();
			in.readLine();
			for (ColumnFamilyHandle h : handles)
				h.close();
		}
	}
}
