-- event-bus schema, version 1. Times are microseconds since the epoch (UTC), as in the API.

-- Messages waiting for a time on the bus's side of RabbitMQ:
--   DELAY    a delayed publish, published to its queue or topic at due_at;
--   INFLIGHT a delivered message not yet acked, published again at due_at (its ack deadline,
--            or its nack delay) unless acked first.
-- A sweep claims due rows (claim, claimed_until) so that each row is handled by one node.
CREATE TABLE scheduled (
    id            VARCHAR(255)    NOT NULL,
    kind          VARCHAR(8)      NOT NULL,
    queue         VARCHAR(200)    NULL,
    topic         VARCHAR(200)    NULL,
    data          LONGBLOB        NOT NULL,
    attempt       INT UNSIGNED    NOT NULL,
    ttl_seconds   BIGINT UNSIGNED NOT NULL DEFAULT 0,
    published_at  BIGINT          NOT NULL,
    due_at        BIGINT          NOT NULL,
    claim         CHAR(36)        NULL,
    claimed_until BIGINT          NULL,
    PRIMARY KEY (id),
    KEY scheduled_due (kind, due_at),
    KEY scheduled_claim (claim)
) ENGINE = InnoDB;

-- The ledger: one row per message with its current status ...
CREATE TABLE message (
    id           VARCHAR(255) NOT NULL,
    queue        VARCHAR(200) NULL,
    topic        VARCHAR(200) NULL,
    status       VARCHAR(16)  NOT NULL,
    attempt      INT UNSIGNED NOT NULL DEFAULT 0,
    data         LONGBLOB     NULL,
    published_at BIGINT       NOT NULL DEFAULT 0,
    updated_at   BIGINT       NOT NULL,
    PRIMARY KEY (id),
    KEY message_queue_status (queue, status)
) ENGINE = InnoDB;

-- ... and every event of its life, in order.
CREATE TABLE message_event (
    seq        BIGINT       NOT NULL AUTO_INCREMENT,
    message_id VARCHAR(255) NOT NULL,
    event      VARCHAR(16)  NOT NULL,
    queue      VARCHAR(200) NULL,
    attempt    INT UNSIGNED NOT NULL DEFAULT 0,
    at_micros  BIGINT       NOT NULL,
    detail     VARCHAR(1000) NULL,
    PRIMARY KEY (seq),
    KEY message_event_message (message_id, at_micros)
) ENGINE = InnoDB;
