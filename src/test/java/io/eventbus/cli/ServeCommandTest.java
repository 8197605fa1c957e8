package io.eventbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServeCommandTest {

    @AfterEach
    void clear() {
        System.clearProperty("eventbus.routes-location");
    }

    @Test
    void withoutItsRoutesFolderServeSaysSoInOneLineAndStartsNothing() throws Exception {
        System.setProperty("eventbus.routes-location", "file:target/no-such-folder/*.camel.yaml");
        StringWriter err = new StringWriter();
        assertThat(ServeCommand.serve(null, new PrintWriter(err, true))).isEqualTo(2);
        assertThat(err.toString()).startsWith("serve: no folder ").contains("no-such-folder", "eventbus.routes-location")
                .hasLineCount(1);
    }

    @Test
    void theProjectsOwnRoutesFolderIsFound() {
        assertThat(ServeCommand.missingRoutesFolder()).isNull();
        System.setProperty("eventbus.routes-location", "classpath:routes/*.camel.yaml");
        assertThat(ServeCommand.missingRoutesFolder()).as("not a folder: left to camel-main").isNull();
    }
}
