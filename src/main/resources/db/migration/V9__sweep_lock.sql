-- event-bus schema, version 9: a row to lock for sweeps whose claims must be taken one at a time.
-- The spool's sweep takes its claim under the lock of the SPOOL row (until its transaction ends),
-- and leaves out the destinations whose spooled rows another round holds: each queue's spooled
-- messages go to RabbitMQ in their order, also while several nodes drain the spool.
CREATE TABLE sweep_lock (
    name VARCHAR(16) NOT NULL,
    PRIMARY KEY (name)
) ENGINE = InnoDB;

INSERT INTO sweep_lock (name) VALUES ('SPOOL');
