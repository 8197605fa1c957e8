package io.eventbus.store;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.component.sql.DefaultSqlPrepareStatementStrategy;

/**
 * camel-sql's statement strategy, remembering per query whether it has named parameters: the
 * default asks with a regular expression over the whole query for every row of a batch, which for
 * a long upsert (the in-flight rows') costs more than the rest of the row. Set on the batch endpoints
 * ({@code prepareStatementStrategy: "#sqlStatements"}).
 */
public class SqlStatements extends DefaultSqlPrepareStatementStrategy {

    private final Map<String, Boolean> named = new ConcurrentHashMap<>();

    @Override
    protected boolean hasNamedParameters(String query) {
        return named.computeIfAbsent(query, super::hasNamedParameters);
    }
}
