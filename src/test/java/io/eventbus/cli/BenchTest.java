package io.eventbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The bench's CPU accounting: a process's CPU time from /proc, the --cpu option, a row of cpu.md. */
class BenchTest {

    @Test
    void aProcessesCpuTimeGrowsWithItsWork() {
        long pid = ProcessHandle.current().pid();
        long before = Bench.cpuMillis(pid);
        assertThat(before).isGreaterThanOrEqualTo(0);
        // 300 ms of this thread's CPU, counted by the JVM, then /proc must show at least 200 ms more
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long until = threads.getCurrentThreadCpuTime() + 300_000_000L;
        long spin = 0;
        while (threads.getCurrentThreadCpuTime() < until) {
            spin++;
        }
        assertThat(spin).isPositive();
        assertThat(Bench.cpuMillis(pid) - before).isGreaterThanOrEqualTo(200);
    }

    @Test
    void aProcessThatIsNotThereIsMinusOne() {
        assertThat(Bench.cpuMillis(Long.MAX_VALUE)).isEqualTo(-1);
    }

    @Test
    void theCpuOptionKeepsTheOrderGiven() {
        Bench bench = new Bench();
        new CommandLine(bench).parseArgs("--cpu", "bus=42,rabbitmq=7,mariadb=9");
        assertThat(bench.cpuPids).containsExactly(Map.entry("bus", 42L), Map.entry("rabbitmq", 7L), Map.entry("mariadb", 9L));
    }

    @Test
    void aRowSumsItsProcessesAndTheCoresTheyKeepBusy() {
        StringBuilder md = new StringBuilder();
        StringBuilder csv = new StringBuilder();
        Map<String, Long> perThousand = new LinkedHashMap<>();
        perThousand.put("bus", 150L);
        perThousand.put("client", 100L);
        Bench.cpuRow(md, csv, "Publish", 4000, List.of("bus", "rabbitmq", "client"), perThousand);
        assertThat(md.toString()).isEqualTo("| Publish | 4000 | 150 |  | 100 | 250 | 1.00 |" + System.lineSeparator());
        assertThat(csv.toString()).isEqualTo("Publish,4000,150,,100,250,1.00" + System.lineSeparator());
    }
}
