package io.eventbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The stats table drawn from GET /stats's JSON. */
class StatsCommandTest {

    private static String table(String json) throws Exception {
        return StatsCommand.table(new ObjectMapper().readTree(json));
    }

    @Test
    void aRowAQueueUnderTheNodesLine() throws Exception {
        String table = table("""
                {"node":{"id":"host:42","producers":2,"consumers":1},
                 "queues":{"orders":{"published":1200,"delivered":1100,"acked":1000,"nacked":3,"dead":1,
                                     "inFlight":100,"delayed":5,"spooled":0,"consumers":1},
                           "topic:news":{"published":7,"delivered":0,"acked":0,"nacked":0,"dead":0,
                                         "inFlight":0,"delayed":2,"spooled":0,"consumers":0}}}
                """);
        assertThat(table.lines()).containsExactly(
                "node host:42  producers 2  consumers 1",
                "queue       published  delivered  acked  nacked  dead  inFlight  delayed  spooled  consumers",
                "orders           1200       1100   1000       3     1       100        5        0          1",
                "topic:news          7          0      0       0     0         0        2        0          0");
    }

    @Test
    void aMissingFieldIsADashAndANewFieldAColumnOfItsOwn() throws Exception {
        String table = table("""
                {"node":{"id":"n"},"queues":{"q":{"published":1,"expired":4}}}
                """);
        assertThat(table.lines()).containsExactly(
                "node n",
                "queue  published  delivered  acked  nacked  dead  inFlight  delayed  spooled  consumers  expired",
                "q              1          -      -       -     -         -        -        -          -        4");
    }

    @Test
    void noQueuesYet() throws Exception {
        assertThat(table("{\"node\":{\"id\":\"n\",\"producers\":0,\"consumers\":0},\"queues\":{}}").lines())
                .containsExactly("node n  producers 0  consumers 0", "no queues yet");
    }
}
