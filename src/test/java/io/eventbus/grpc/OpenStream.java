package io.eventbus.grpc;

import io.eventbus.grpc.v1.EventBusGrpc;
import io.eventbus.grpc.v1.Message;
import io.eventbus.grpc.v1.SubscribeRequest;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A v1 Subscribe stream a test holds open: what it received, how it ended, and its cancel. */
public final class OpenStream implements ClientResponseObserver<SubscribeRequest, Message> {

    private final List<Message> received = new CopyOnWriteArrayList<>();
    private final List<Status> ended;
    private volatile ClientCallStreamObserver<SubscribeRequest> call;

    private OpenStream(List<Status> ended) {
        this.ended = ended;
    }

    public static OpenStream open(EventBusGrpc.EventBusStub stub, SubscribeRequest request) {
        return open(stub, request, new CopyOnWriteArrayList<>());
    }

    /** Opens the stream; how it ends (OK, or the error's status) is added to {@code ended}. */
    public static OpenStream open(EventBusGrpc.EventBusStub stub, SubscribeRequest request, List<Status> ended) {
        OpenStream stream = new OpenStream(ended);
        stub.subscribe(request, stream);
        return stream;
    }

    public List<Message> received() {
        return received;
    }

    public void cancel() {
        call.cancel("done", null);
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<SubscribeRequest> requestStream) {
        call = requestStream;
    }

    @Override
    public void onNext(Message message) {
        received.add(message);
    }

    @Override
    public void onError(Throwable t) {
        ended.add(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
        ended.add(Status.OK);
    }
}
