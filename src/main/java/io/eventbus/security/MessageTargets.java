package io.eventbus.security;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import io.eventbus.message.Validator;
import javax.sql.DataSource;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * Which queue (or, for a topic message not yet in a queue, which topic) a message id belongs to,
 * for calls that name messages by id (ack, nack, ExtendDeadline, GetMessage, Cancel). A row in
 * {@code scheduled} (in flight, delayed) is the truth; the ledger's {@code message} row is asked
 * for the rest. Ids neither knows are left out: the call itself answers that they are unknown.
 */
public class MessageTargets {

    private static final int CHUNK = 1000;
    private static final String SCHEDULED = "SELECT id, queue, topic FROM scheduled WHERE id IN (:ids)";
    private static final String LEDGER = "SELECT id, queue, topic FROM message WHERE id IN (:ids)";

    private final NamedParameterJdbcTemplate jdbc;
    private final Validator validator;

    public MessageTargets(DataSource dataSource, Validator validator) {
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
        this.validator = validator;
    }

    /**
     * The target of each known id among these. The ids are checked first as the call itself would
     * check them (at most eventbus.max-batch, none longer than an id can be), so that a call cannot
     * make the bus read the database for millions of ids.
     */
    public Map<String, Target> of(List<String> ids) {
        validator.ids(ids);
        Map<String, Target> targets = new HashMap<>();
        for (int from = 0; from < ids.size(); from += CHUNK) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + CHUNK));
            MapSqlParameterSource parameters = new MapSqlParameterSource("ids", chunk);
            jdbc.query(SCHEDULED, parameters, row -> {
                targets.put(row.getString("id"), Target.of(row.getString("queue"), row.getString("topic")));
            });
            List<String> rest = new ArrayList<>(chunk);
            rest.removeAll(targets.keySet());
            if (!rest.isEmpty()) {
                jdbc.query(LEDGER, new MapSqlParameterSource("ids", rest), row -> {
                    targets.putIfAbsent(row.getString("id"), Target.of(row.getString("queue"), row.getString("topic")));
                });
            }
        }
        return targets;
    }

    /** A queue or a topic, by name. */
    public record Target(String kind, String name) {

        static Target of(String queue, String topic) {
            return queue != null ? queue(queue) : topic(topic == null ? "" : topic);
        }

        public static Target queue(String name) {
            return new Target("queue", name);
        }

        public static Target topic(String name) {
            return new Target("topic", name);
        }

        public static Target pattern(String name) {
            return new Target("topic pattern", name);
        }

        @Override
        public String toString() {
            return kind + " '" + name + "'";
        }
    }
}
