-- event-bus schema, version 2: the full API's ordering key and headers travel with a message
-- through delays, redeliveries and the ledger; a nacked in-flight row is told apart from one
-- still being worked on (GetQueue counts it as delayed).
ALTER TABLE scheduled
    ADD COLUMN msg_key VARCHAR(255) NULL AFTER topic,
    ADD COLUMN headers TEXT NULL AFTER msg_key,
    ADD COLUMN nacked TINYINT NOT NULL DEFAULT 0 AFTER due_at,
    ADD KEY scheduled_queue (queue, kind);

ALTER TABLE message
    ADD COLUMN msg_key VARCHAR(255) NULL AFTER topic,
    ADD COLUMN headers TEXT NULL AFTER msg_key;
