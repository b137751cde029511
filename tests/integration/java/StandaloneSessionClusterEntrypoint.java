// A hostile JobManager for the Flink collector's tests: a JVM whose main class is Flink's
// session entry point (so jvmtap takes it for a JobManager), serving bad answers on one port.
// Usage: StandaloneSessionClusterEntrypoint MODE; prints {"port": N} once listening. MODE:
//   slow      /config fine; every other answer drips one byte every 100 ms, forever
//   endless   /config fine; every other answer is 200 with a body that never ends
//   malformed /config fine; every other answer is 200 with broken JSON
//   many      /config and /overview fine; /jobs/overview lists 10 000 jobs; the rest 404
//   noconfig  every answer drips, /config too
package org.apache.flink.runtime.entrypoint;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

public class StandaloneSessionClusterEntrypoint {
	static String mode;

	static void send(OutputStream out, int status, String body) throws Exception {
		byte[] b = body.getBytes(StandardCharsets.UTF_8);
		out.write(("HTTP/1.1 " + status + " X\r\nContent-Type: application/json; charset=UTF-8\r\n"
			+ "Content-Length: " + b.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
		out.write(b);
		out.flush();
	}

	static void serve(Socket s) {
		try (Socket c = s) {
			InputStream in = c.getInputStream();
			OutputStream out = c.getOutputStream();
			StringBuilder req = new StringBuilder();
			int ch;
			while ((ch = in.read()) >= 0) {
				req.append((char) ch);
				if (req.length() >= 4 && req.substring(req.length() - 4).equals("\r\n\r\n"))
					break;
			}
			String path = req.toString().split(" ").length > 1 ? req.toString().split(" ")[1] : "/";
			boolean config = path.startsWith("/config");
			if (config && !mode.equals("noconfig")) {
				send(out, 200, "{\"refresh-interval\":3000,\"flink-version\":\"1.20.5\"}");
				return;
			}
			switch (mode) {
			case "many":
				if (path.startsWith("/overview")) {
					send(out, 200, "{\"taskmanagers\":1,\"slots-total\":1,\"slots-available\":1,"
						+ "\"jobs-running\":10000,\"jobs-finished\":0,\"jobs-cancelled\":0,"
						+ "\"jobs-failed\":0,\"flink-version\":\"1.20.5\"}");
				} else if (path.startsWith("/jobs/overview")) {
					StringBuilder b = new StringBuilder("{\"jobs\":[");
					for (int i = 0; i < 10000; i++)
						b.append(i > 0 ? "," : "").append(String.format(
							"{\"jid\":\"%032x\",\"name\":\"job-%d\",\"state\":\"RUNNING\","
							+ "\"start-time\":1,\"end-time\":-1,\"duration\":5}", i, i));
					send(out, 200, b.append("]}").toString());
				} else {
					send(out, 404, "{\"errors\":[\"Not found\"]}");
				}
				return;
			case "malformed":
				send(out, 200, "{\"jobs\":[{\"jid\":\"" + "a".repeat(40) + "\",\"name\":{\"x\":[1,2,");
				return;
			case "endless":
				out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[".getBytes());
				byte[] chunk = "{\"id\":\"x\",\"value\":\"1\"},".repeat(1000).getBytes();
				while (true)
					out.write(chunk);
			default: // slow, noconfig
				byte[] head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{".getBytes();
				for (byte x : head) {
					out.write(x);
					out.flush();
					Thread.sleep(100);
				}
				while (true) {
					out.write(' ');
					out.flush();
					Thread.sleep(100);
				}
			}
		} catch (Exception e) {
			// the peer gave up: fine
		}
	}

	public static void main(String[] args) throws Exception {
		mode = args[0];
		ServerSocket ss = new ServerSocket(0, 64, InetAddress.getByName("127.0.0.1"));
		System.out.println("{\"port\": " + ss.getLocalPort() + "}");
		System.out.flush();
		while (true) {
			Socket c = ss.accept();
			new Thread(() -> serve(c)).start();
		}
	}
}
