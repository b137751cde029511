// Stands in for Flink's TaskManager entry point: jvmtap must give it flink_role="taskmanager".
package org.apache.flink.runtime.taskexecutor;

public class TaskManagerRunner {
    public static void main(String[] args) throws Exception {
        System.out.println("{\"phase\":\"done\",\"pid\":" + ProcessHandle.current().pid() + "}");
        System.out.flush();
        Thread.sleep(Long.parseLong(args[0]) * 1000);
    }
}
