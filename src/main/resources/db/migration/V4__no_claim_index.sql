-- event-bus schema, version 4: a sweep finds the rows it claimed by their ids, so the claim needs
-- no index of its own (one fewer index to keep up on every insert and delete of scheduled rows).
ALTER TABLE scheduled DROP KEY scheduled_claim;
