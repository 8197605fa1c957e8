package io.eventbus.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Reads the ledger of a bus database with plain JDBC, as an operator would with SQL. */
public final class Ledgers {

    private Ledgers() {
    }

    public static String status(String database, String id) throws SQLException {
        try (Connection connection = DriverManager.getConnection(BusNode.DB_URL + database, "root", "");
             PreparedStatement select = connection.prepareStatement("SELECT status FROM message WHERE id = ?")) {
            select.setString(1, id);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }

    /** The ids of the messages that have this event in the ledger. */
    public static Set<String> idsWithEvent(String database, String event) throws SQLException {
        return strings(database, "SELECT message_id FROM message_event WHERE event = ?", event);
    }

    /** The first two columns of a query's rows, the first as the key, with its parameters. */
    public static Map<String, Long> longs(String database, String sql, String... parameters) throws SQLException {
        Map<String, Long> values = new HashMap<>();
        query(database, sql, parameters, rows -> values.put(rows.getString(1), rows.getLong(2)));
        return values;
    }

    /** The first column of a query's rows, as stored, with its parameters. */
    public static Set<String> strings(String database, String sql, String... parameters) throws SQLException {
        Set<String> values = new HashSet<>();
        query(database, sql, parameters, rows -> values.add(rows.getString(1)));
        return values;
    }

    /** Reads one row of a result. */
    private interface RowReader {
        void read(ResultSet rows) throws SQLException;
    }

    private static void query(String database, String sql, String[] parameters, RowReader reader) throws SQLException {
        try (Connection connection = DriverManager.getConnection(BusNode.DB_URL + database, "root", "");
             PreparedStatement select = connection.prepareStatement(sql)) {
            for (int p = 0; p < parameters.length; p++) {
                select.setString(p + 1, parameters[p]);
            }
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    reader.read(rows);
                }
            }
        }
    }
}
