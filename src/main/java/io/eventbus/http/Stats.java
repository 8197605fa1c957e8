package io.eventbus.http;

import io.eventbus.broker.Inboxes;
import io.eventbus.metrics.BusMetrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code GET /stats} reports. Per queue: what this node counted since it started
 * (published, delivered, acked, nacked, dead), what waits in SQL for all nodes (inFlight,
 * delayed, spooled) and the calls waiting on this node (consumers). Per node: its id, how many
 * destinations it published to (producers) and calls it holds open (consumers).
 */
public class Stats {

    private final String node;
    private final BusMetrics metrics;
    private final Inboxes inboxes;

    public Stats(String node, BusMetrics metrics, Inboxes inboxes) {
        this.node = node;
        this.metrics = metrics;
        this.inboxes = inboxes;
    }

    /** {@code scheduled}: rows of {@code queue, kind, n} counted in SQL. */
    public Map<String, Object> report(List<Map<String, Object>> scheduled) {
        Map<String, Map<String, Object>> queues = new TreeMap<>();
        Map<String, Map<String, Long>> counts = metrics.counts();
        counts.forEach((queue, figures) -> queue(queues, queue).putAll(figures));
        for (Map<String, Object> row : scheduled) {
            String field = switch (String.valueOf(row.get("kind"))) {
                case "INFLIGHT" -> "inFlight";
                case "DELAY" -> "delayed";
                default -> "spooled";
            };
            Object topic = row.get("topic");
            String queue = row.get("queue") != null ? (String) row.get("queue") : "topic:" + topic;
            queue(queues, queue).merge(field, ((Number) row.get("n")).longValue(), (a, b) -> (Long) a + (Long) b);
        }
        Map<String, Integer> waiting = inboxes.waitingCalls();
        waiting.forEach((queue, calls) -> queue(queues, queue).put("consumers", calls));

        Map<String, Object> nodeReport = new LinkedHashMap<>();
        nodeReport.put("id", node);
        nodeReport.put("producers", counts.values().stream().filter(figures -> figures.get("published") > 0).count());
        nodeReport.put("consumers", waiting.values().stream().mapToInt(Integer::intValue).sum());
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("node", nodeReport);
        report.put("queues", queues);
        return report;
    }

    private static Map<String, Object> queue(Map<String, Map<String, Object>> queues, String name) {
        return queues.computeIfAbsent(name, q -> {
            Map<String, Object> figures = new LinkedHashMap<>();
            for (String field : List.of("published", "delivered", "acked", "nacked", "dead", "inFlight", "delayed",
                    "spooled", "consumers")) {
                figures.put(field, 0L);
            }
            return figures;
        });
    }
}
