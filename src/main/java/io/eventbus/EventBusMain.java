package io.eventbus;

import io.eventbus.config.EventBusConfiguration;
import org.apache.camel.main.Main;

/** Starts the bus: camel-main with application.properties, the YAML routes and the configuration class. */
public final class EventBusMain {

    private EventBusMain() {
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main();
        main.configure().addConfiguration(EventBusConfiguration.class);
        main.run(args);
    }
}
