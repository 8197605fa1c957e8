-- event-bus schema, version 6: names compare as RabbitMQ compares them, byte for byte. The tables
-- took the server's default collation (utf8mb4_general_ci on MariaDB), which is case-insensitive:
-- the copies of one topic message for queues "Orders" and "orders" (ids "<id>@Orders" and
-- "<id>@orders") shared one primary key, so that one copy's in-flight row overwrote the other's, and
-- GetQueue counted the two queues together. Rebuilds the three tables once, on upgrade.
ALTER TABLE scheduled CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE message CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE message_event CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
