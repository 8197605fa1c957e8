-- event-bus schema, version 8: headers as MEDIUMTEXT (16 MiB) instead of TEXT (64 KiB).
-- eventbus.max-header-bytes (64 KiB by default) counts the names and values; the JSON a row holds
-- adds quotes, braces and escapes (a control character takes six bytes), and a plain AMQP
-- publisher's headers have no limit at all: such a message was accepted, but its delayed or
-- in-flight row was refused, so that it was never delivered. Rebuilds the two tables once, on upgrade.
ALTER TABLE scheduled MODIFY headers MEDIUMTEXT NULL;
ALTER TABLE message MODIFY headers MEDIUMTEXT NULL;
