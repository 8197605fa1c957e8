package io.eventbus.it;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings the machine's services cannot serve stop the bus at start, saying what to change. */
class StartupChecksIT {

    /**
     * A payload limit whose rows do not fit the database's max_allowed_packet: every such message
     * would fail where it is written (its in-flight row: delivered again at once, for ever).
     */
    @Test
    void aPayloadLimitTheDatabaseCannotTakeStopsTheStart() throws Exception {
        long packet;
        try (Connection connection = DriverManager.getConnection(BusNode.DB_URL, "root", "");
             Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT @@max_allowed_packet")) {
            result.next();
            packet = result.getLong(1);
        }
        String tooLarge = String.valueOf(packet / 2);
        assertThatThrownBy(() -> BusNode.start("StartupChecksIT", Map.of("eventbus.max-message-bytes", tooLarge)).close())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("max_allowed_packet is " + packet + " bytes")
                .hasMessageContaining("eventbus.max-message-bytes (" + tooLarge + ")");
    }
}
