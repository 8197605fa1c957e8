package io.eventbus.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

class QueueSettingsTest {

    private QueueSettings settings() {
        CamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().addInitialProperty("eventbus.retry-times", "3");
        context.getPropertiesComponent().addInitialProperty("eventbus.queue-type", "classic");
        context.getPropertiesComponent().addInitialProperty("eventbus.queues.orders.retry-times", "1");
        context.getPropertiesComponent().addInitialProperty("eventbus.queues.orders.type", "quorum");
        return new QueueSettings(context.getPropertiesComponent());
    }

    @Test
    void perQueueKeysOverrideTheBusWideOnes() {
        QueueSettings settings = settings();
        assertThat(settings.retryTimes("orders")).isEqualTo(1);
        assertThat(settings.retryTimes("other")).isEqualTo(3);
        assertThat(settings.type("orders")).isEqualTo("quorum");
        assertThat(settings.type("other")).isEqualTo("classic");
    }

    @Test
    void retriesAreSpentAfterRetryTimesRedeliveries() {
        QueueSettings settings = settings();
        // retry-times 3: attempts 1..4 may be delivered; the 4th delivery's failure is the end
        assertThat(settings.exhausted("other", 3)).isFalse();
        assertThat(settings.exhausted("other", 4)).isTrue();
        assertThat(settings.exhausted("orders", 1)).isFalse();
        assertThat(settings.exhausted("orders", 2)).isTrue();
    }
}
