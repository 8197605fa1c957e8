-- event-bus schema, version 3: the partition an in-flight message was delivered from. A
-- partition's head is redelivered in place by the node that holds it, never republished by the
-- redelivery sweep (which would put it behind the partition's later messages).
ALTER TABLE scheduled
    ADD COLUMN partition_no INT NULL AFTER queue;
