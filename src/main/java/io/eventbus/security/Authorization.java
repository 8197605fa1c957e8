package io.eventbus.security;

import io.eventbus.grpc.mq.DelayPublishRequest;
import io.eventbus.grpc.mq.DelayTopicPublishRequest;
import io.eventbus.grpc.mq.MqGrpc;
import io.eventbus.grpc.mq.MqTopicGrpc;
import io.eventbus.grpc.mq.QueueId;
import io.eventbus.grpc.mq.TopicPublishRequest;
import io.eventbus.grpc.mq.TopicSubscribeRequest;
import io.eventbus.grpc.v1.AckRequest;
import io.eventbus.grpc.v1.BindRequest;
import io.eventbus.grpc.v1.CancelRequest;
import io.eventbus.grpc.v1.EventBusGrpc;
import io.eventbus.grpc.v1.ExtendDeadlineRequest;
import io.eventbus.grpc.v1.GetMessageRequest;
import io.eventbus.grpc.v1.GetQueueRequest;
import io.eventbus.grpc.v1.NackRequest;
import io.eventbus.grpc.v1.PublishBatchRequest;
import io.eventbus.grpc.v1.PublishRequest;
import io.eventbus.grpc.v1.PullRequest;
import io.eventbus.grpc.v1.RedriveRequest;
import io.eventbus.grpc.v1.SubscribeRequest;
import io.eventbus.grpc.Statuses;
import io.eventbus.security.MessageTargets.Target;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Checks each request of both APIs against the grant of its token ({@link Authentication#GRANT}):
 * the queues and topics it names, or those of the messages it names by id, must be covered by the
 * token's patterns for what the method does ({@link #RULES}). Otherwise the call ends with
 * PERMISSION_DENIED, naming the permission that is missing, before the request reaches a route.
 * A method without a rule is refused: a new RPC is closed until someone says who may call it.
 */
public final class Authorization implements ServerInterceptor {

    /** Who may call what: per full method name, the permission and where the request names its targets. */
    static final Map<String, Rule> RULES = rules();

    private final MessageTargets targets;
    private final Consumer<Status.Code> refused;

    public Authorization(MessageTargets targets, Consumer<Status.Code> refused) {
        this.targets = targets;
        this.refused = refused;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Grant grant = Authentication.GRANT.get();
        String method = call.getMethodDescriptor().getFullMethodName();
        Rule rule = RULES.get(method);
        if (grant == null || rule == null) {
            refused.accept(Status.Code.PERMISSION_DENIED);
            call.close(Status.PERMISSION_DENIED.withDescription(grant == null ? "the call carries no token"
                    : "no token may call " + method), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
            private boolean closed;

            @Override
            public void onMessage(Q request) {
                String denied;
                try {
                    denied = rule.check(grant, request, targets);
                } catch (RuntimeException e) {
                    closed = true;
                    call.close(Statuses.of(e).getStatus(), new Metadata());
                    return;
                }
                if (denied != null) {
                    closed = true;
                    refused.accept(Status.Code.PERMISSION_DENIED);
                    call.close(Status.PERMISSION_DENIED.withDescription(denied), new Metadata());
                    return;
                }
                super.onMessage(request);
            }

            @Override
            public void onHalfClose() {
                if (!closed) {
                    super.onHalfClose();
                }
            }
        };
    }

    /** One method's check: the reason it is denied, or null when the grant covers the request. */
    @FunctionalInterface
    interface Rule {
        String check(Grant grant, Object request, MessageTargets targets);
    }

    private static Map<String, Rule> rules() {
        Map<String, Rule> rules = new HashMap<>();
        // the compatible API (mq.Mq, mq.MqTopic)
        put(rules, MqGrpc.getPublishMethod(), names(Permission.PUBLISH,
                (io.eventbus.grpc.mq.PublishRequest r) -> List.of(Target.queue(r.getQueue()))));
        put(rules, MqGrpc.getDelayPublishMethod(), names(Permission.PUBLISH,
                (DelayPublishRequest r) -> List.of(Target.queue(r.getQueue()))));
        put(rules, MqGrpc.getSubscribeMethod(), names(Permission.PULL,
                (io.eventbus.grpc.mq.SubscribeRequest r) -> List.of(Target.queue(r.getQueue()))));
        put(rules, MqGrpc.getAckMethod(), ids(Permission.PULL, (QueueId r) -> List.of(r.getId())));
        put(rules, MqGrpc.getNackMethod(), ids(Permission.PULL, (QueueId r) -> List.of(r.getId())));
        put(rules, MqTopicGrpc.getPublishMethod(), names(Permission.PUBLISH,
                (TopicPublishRequest r) -> List.of(Target.topic(r.getTopic()))));
        put(rules, MqTopicGrpc.getDelayPublishMethod(), names(Permission.PUBLISH,
                (DelayTopicPublishRequest r) -> List.of(Target.topic(r.getTopic()))));
        // subscribing binds queueName to the topic on first use: pull on both
        put(rules, MqTopicGrpc.getSubscribeMethod(), names(Permission.PULL,
                (TopicSubscribeRequest r) -> List.of(Target.queue(r.getQueueName()), Target.topic(r.getTopic()))));
        put(rules, MqTopicGrpc.getAckMethod(), ids(Permission.PULL, (QueueId r) -> List.of(r.getId())));
        put(rules, MqTopicGrpc.getNackMethod(), ids(Permission.PULL, (QueueId r) -> List.of(r.getId())));
        // the full API (eventbus.v1.EventBus)
        put(rules, EventBusGrpc.getPublishMethod(), names(Permission.PUBLISH, Authorization::destination));
        put(rules, EventBusGrpc.getPublishBatchMethod(), names(Permission.PUBLISH,
                (PublishBatchRequest r) -> r.getMessagesList().stream().flatMap(m -> destination(m).stream()).toList()));
        put(rules, EventBusGrpc.getPullMethod(), names(Permission.PULL, (PullRequest r) -> List.of(Target.queue(r.getQueue()))));
        put(rules, EventBusGrpc.getSubscribeMethod(), names(Permission.PULL,
                (SubscribeRequest r) -> List.of(Target.queue(r.getQueue()))));
        put(rules, EventBusGrpc.getAckMethod(), ids(Permission.PULL, AckRequest::getIdsList));
        put(rules, EventBusGrpc.getNackMethod(), ids(Permission.PULL, NackRequest::getIdsList));
        put(rules, EventBusGrpc.getExtendDeadlineMethod(), ids(Permission.PULL, ExtendDeadlineRequest::getIdsList));
        // binding routes a topic's messages into the queue: administer the queue, pull the pattern
        // (compared as text: a token for orders.* may bind orders.# or orders.eu, not #)
        put(rules, EventBusGrpc.getBindMethod(), both(
                names(Permission.ADMIN, (BindRequest r) -> List.of(Target.queue(r.getQueue()))),
                names(Permission.PULL, (BindRequest r) -> patternForms(r.getPattern()))));
        put(rules, EventBusGrpc.getGetMessageMethod(), ids(Permission.ADMIN, (GetMessageRequest r) -> List.of(r.getId())));
        put(rules, EventBusGrpc.getGetQueueMethod(), names(Permission.ADMIN,
                (GetQueueRequest r) -> List.of(Target.queue(r.getQueue()))));
        put(rules, EventBusGrpc.getRedriveMethod(), names(Permission.ADMIN,
                (RedriveRequest r) -> List.of(Target.queue(r.getQueue()))));
        put(rules, EventBusGrpc.getCancelMethod(), ids(Permission.ADMIN, (CancelRequest r) -> List.of(r.getId())));
        return Map.copyOf(rules);
    }

    /**
     * A Bind pattern as text, and, when it has a '#', as it reads with each '#' matching no word
     * ("#.eu" also receives topic "eu"): the token must be allowed both, so pull on "*.eu" cannot
     * bind "#.eu".
     */
    static List<Target> patternForms(String pattern) {
        String none = pattern.replace("#.", "").replace(".#", "");
        none = none.equals("#") ? "" : none;
        return none.equals(pattern) ? List.of(Target.pattern(pattern))
                : List.of(Target.pattern(pattern), Target.pattern(none));
    }

    private static List<Target> destination(PublishRequest request) {
        return request.getTopic().isEmpty() ? List.of(Target.queue(request.getQueue()))
                : request.getQueue().isEmpty() ? List.of(Target.topic(request.getTopic()))
                : List.of(Target.queue(request.getQueue()), Target.topic(request.getTopic()));
    }

    private static void put(Map<String, Rule> rules, MethodDescriptor<?, ?> method, Rule rule) {
        rules.put(method.getFullMethodName(), rule);
    }

    /** The request names its targets: each must be covered (an empty name is left to the validation). */
    @SuppressWarnings("unchecked")
    private static <Q> Rule names(Permission permission, Function<Q, List<Target>> names) {
        return (grant, request, targets) -> {
            for (Target target : names.apply((Q) request)) {
                if (!target.name().isEmpty() && !grant.allows(permission, target.name())) {
                    return denial(permission, target);
                }
            }
            return null;
        };
    }

    /** The request names messages by id: the queue (or topic) of each known one must be covered. */
    @SuppressWarnings("unchecked")
    private static <Q> Rule ids(Permission permission, Function<Q, List<String>> ids) {
        return (grant, request, targets) -> {
            if (grant.allowsEverything(permission)) {
                return null;
            }
            List<String> named = ids.apply((Q) request).stream().filter(id -> !id.isEmpty()).toList();
            if (named.isEmpty()) {
                return null;
            }
            for (Map.Entry<String, Target> known : targets.of(named).entrySet()) {
                if (!grant.allows(permission, known.getValue().name())) {
                    return denial(permission, known.getValue()) + " (message " + known.getKey() + ")";
                }
            }
            return null;
        };
    }

    private static Rule both(Rule first, Rule second) {
        return (grant, request, targets) -> {
            String denied = first.check(grant, request, targets);
            return denied != null ? denied : second.check(grant, request, targets);
        };
    }

    private static String denial(Permission permission, Target target) {
        return "this token may not " + permission.verb() + " " + target + ": it needs a pattern matching '"
                + target.name() + "' in its " + permission.key() + " permission (eventbus.auth.token.<name>."
                + permission.key() + ")";
    }
}
