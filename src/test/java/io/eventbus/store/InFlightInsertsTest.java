package io.eventbus.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** What InFlightInserts hands the route insert-in-flight-rows. */
class InFlightInsertsTest {

    @Test
    void rowsGoToTheInsertInIdOrderAsDeletesLockThem() throws Exception {
        List<List<String>> inserted = new ArrayList<>();
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:insert-in-flight-rows").process(exchange -> {
                        List<String> ids = new ArrayList<>();
                        for (Object row : exchange.getMessage().getBody(List.class)) {
                            ids.add((String) ((List<?>) row).get(0));
                        }
                        inserted.add(ids);
                    });
                }
            });
            camel.start();
            InFlightInserts inserts = new InFlightInserts(camel.createProducerTemplate(), 8);
            inserts.insert(List.of(row("01b"), row("01c"), row("01a"), row("00f")));
        }
        assertThat(inserted).containsExactly(List.of("00f", "01a", "01b", "01c"));
    }

    private static List<Object> row(String id) {
        return new ArrayList<>(List.of(id, "q", 1));
    }
}
