package io.eventbus.message;

import com.google.protobuf.ByteString;
import io.eventbus.BusException;
import io.eventbus.UnknownMessageException;
import io.eventbus.grpc.v1.AckResponse;
import io.eventbus.grpc.v1.BindResponse;
import io.eventbus.grpc.v1.CancelResponse;
import io.eventbus.grpc.v1.Event;
import io.eventbus.grpc.v1.ExtendDeadlineResponse;
import io.eventbus.grpc.v1.Message;
import io.eventbus.grpc.v1.MessageRecord;
import io.eventbus.grpc.v1.NackRequest;
import io.eventbus.grpc.v1.NackResponse;
import io.eventbus.grpc.v1.PublishBatchResponse;
import io.eventbus.grpc.v1.PublishResponse;
import io.eventbus.grpc.v1.QueueInfo;
import io.eventbus.grpc.v1.RedriveRequest;
import io.eventbus.grpc.v1.RedriveResponse;
import java.util.List;
import java.util.Map;

/** Requests and replies of the full API (eventbus.v1), to and from the routes' BusMessages. */
public class V1Messages {

    /** Outcome marks of one id in an ack batch: "+id" acked, "?id" unknown, "!why" refused. */
    public static final String ACKED = "+";
    public static final String UNKNOWN = "?";
    public static final String REFUSED = "!";

    public PublishResponse publishResponse(BusMessage message) {
        return PublishResponse.newBuilder()
                .setId(message.getId())
                .setPartition(message.getPartition())
                .setDuplicate(message.isDuplicate())
                .build();
    }

    /** The reply to a PublishBatch: each message's outcome, in request order. */
    public PublishBatchResponse batchResponse(List<BusMessage> accepted) {
        return PublishBatchResponse.newBuilder().addAllResults(accepted.stream().map(this::publishResponse).toList()).build();
    }

    /** A repeat of an idempotency key: the first message's id, nothing published. */
    public BusMessage duplicateOf(BusMessage message, String firstId) {
        message.setId(firstId);
        message.setDuplicate(true);
        return message;
    }

    public Message toV1(BusMessage message) {
        return Message.newBuilder()
                .setId(message.getId())
                .setQueue(message.getQueue())
                .setData(ByteString.copyFrom(message.getData()))
                .setKey(message.getKey() == null ? "" : message.getKey())
                .putAllHeaders(message.getHeaders())
                .setAttempt(message.getAttempt())
                .setPublishedAtMicros(message.getPublishedAtMicros())
                .setDeadlineMicros(message.getDeadlineMicros())
                .setPartition(message.getPartition())
                .build();
    }

    public String acked(String id) {
        return ACKED + id;
    }

    public String unknown(String id) {
        return UNKNOWN + id;
    }

    /** An id that cannot be acked (DEAD, EXPIRED): why, as the refusal said. */
    public String refused(String why) {
        return REFUSED + why;
    }

    /** The ids of a batch that are not among {@code found}, in their order. */
    public List<String> notAmong(List<String> ids, List<String> found) {
        java.util.Set<String> known = new java.util.HashSet<>(found);
        return ids.stream().filter(id -> !known.contains(id)).distinct().toList();
    }

    /**
     * The reply to an Ack: the ids acked in flight, and the outcomes of the others. When some could
     * not be acked (DEAD, EXPIRED), every other id was handled all the same, and the call fails
     * with FAILED_PRECONDITION giving the reasons and how many were acked.
     */
    public AckResponse ackResponse(List<String> acked, List<String> outcomes) {
        AckResponse.Builder response = AckResponse.newBuilder();
        List<String> refusals = new java.util.ArrayList<>();
        int count = acked.size();
        for (String outcome : outcomes) {
            if (outcome.startsWith(UNKNOWN)) {
                response.addUnknownIds(outcome.substring(UNKNOWN.length()));
            } else if (outcome.startsWith(REFUSED)) {
                refusals.add(outcome.substring(REFUSED.length()));
            } else {
                count++;
            }
        }
        if (!refusals.isEmpty()) {
            throw BusException.failedPrecondition(firstTen(refusals, "; ")
                    + " (the other ids were handled: " + count + " acked, " + response.getUnknownIdsCount() + " unknown)");
        }
        return response.setAcked(count).build();
    }

    /** The nack delay asked for, or null for the queue's. */
    public Integer nackDelay(NackRequest request) {
        return request.hasDelaySeconds() ? request.getDelaySeconds() : null;
    }

    public NackResponse nackResponse() {
        return NackResponse.getDefaultInstance();
    }

    /** Whether fewer rows were updated than the request has distinct ids. */
    public boolean fewerThanIds(Integer updated, List<String> ids) {
        return updated == null || updated < new java.util.HashSet<>(ids).size();
    }

    /** FAILED_PRECONDITION naming the ids that are not among the in-flight rows {@code found} (rows of column id). */
    public void refuseNotExtended(List<String> ids, List<Map<String, Object>> found) {
        List<String> missing = notAmong(ids, found.stream().map(row -> (String) row.get("id")).toList());
        if (missing.isEmpty()) {
            return; // in flight after all (the update counted them otherwise)
        }
        throw BusException.failedPrecondition("not in flight, deadline not extended (acked, nacked, redelivered after"
                + " its deadline, or unknown): " + firstTen(missing, ", ")
                + (missing.size() < new java.util.HashSet<>(ids).size() ? "; the others' deadlines were extended" : ""));
    }

    /** The first ten items joined, and how many more there are (an error message stays readable). */
    private static String firstTen(List<String> items, String separator) {
        int shown = Math.min(items.size(), 10);
        return String.join(separator, items.subList(0, shown)) + (items.size() > shown ? " and " + (items.size() - shown) + " more" : "");
    }

    public ExtendDeadlineResponse extendResponse() {
        return ExtendDeadlineResponse.getDefaultInstance();
    }

    public BindResponse bindResponse() {
        return BindResponse.getDefaultInstance();
    }

    /** The ledger's row and events of a message; NOT_FOUND when it has no row. */
    public MessageRecord record(String id, Map<String, Object> row, List<Map<String, Object>> events) {
        if (row == null) {
            throw new UnknownMessageException(id);
        }
        BusMessage message = new BusMessage();
        message.setHeadersJson((String) row.get("headers"));
        byte[] data = (byte[]) row.get("data");
        Message.Builder recorded = Message.newBuilder()
                .setId(id)
                .setQueue(row.get("queue") == null ? "" : (String) row.get("queue"))
                .setData(data == null ? ByteString.EMPTY : ByteString.copyFrom(data))
                .setKey(row.get("msg_key") == null ? "" : (String) row.get("msg_key"))
                .putAllHeaders(message.getHeaders())
                .setAttempt(((Number) row.get("attempt")).intValue())
                .setPublishedAtMicros(((Number) row.get("published_at")).longValue())
                .setPartition(-1);
        MessageRecord.Builder record = MessageRecord.newBuilder()
                .setMessage(recorded)
                .setStatus((String) row.get("status"));
        for (Map<String, Object> event : events) {
            record.addHistory(Event.newBuilder()
                    .setStatus((String) event.get("event"))
                    .setAtMicros(((Number) event.get("at_micros")).longValue())
                    .setDetail(detail(event)));
        }
        return record.build();
    }

    private static String detail(Map<String, Object> event) {
        String detail = event.get("detail") == null ? "" : (String) event.get("detail");
        String where = "attempt " + event.get("attempt") + (event.get("queue") == null ? "" : " on " + event.get("queue"));
        return detail.isEmpty() ? where : where + ": " + detail;
    }

    /** Depth and counters: RabbitMQ's for ready, consumers and dead; SQL's for in flight and delayed. */
    public QueueInfo queueInfo(String queue, Map<String, Long> broker, Map<String, Object> counts) {
        return QueueInfo.newBuilder()
                .setName(queue)
                .setPartitions(broker.get("partitions").intValue())
                .setReady(broker.get("ready"))
                .setConsumers(broker.get("consumers").intValue())
                .setDead(broker.get("dead"))
                .setInFlight(number(counts, "in_flight_count"))
                .setDelayed(number(counts, "delayed_count"))
                .build();
    }

    private static long number(Map<String, Object> row, String column) {
        Object value = row == null ? null : row.get(column);
        return value == null ? 0 : ((Number) value).longValue();
    }

    /** The copy of a dead letter that goes back to its queue: attempt 1 again. */
    public BusMessage redriven(BusMessage message, String queue) {
        message.setQueue(queue);
        message.setTopic(null);
        message.setPartition(-1); // publish-time routing assigns it again
        message.setAttempt(1);
        message.setTtlSeconds(0);
        return message;
    }

    /** How many dead letters a redrive moves at most (0: all). */
    public int redriveLimit(RedriveRequest request) {
        return request.getMaxMessages() == 0 ? Integer.MAX_VALUE : request.getMaxMessages();
    }

    public RedriveResponse redriveResponse(long moved) {
        return RedriveResponse.newBuilder().setMoved(moved).build();
    }

    public CancelResponse cancelResponse(boolean cancelled) {
        return CancelResponse.newBuilder().setCancelled(cancelled).build();
    }
}
