package io.eventbus.grpc;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Parses requests in the call instead of in grpc-java's transport, where a frame that is not a
 * valid message closes the call with UNKNOWN "Application error processing RPC". Here it gets
 * INVALID_ARGUMENT saying which message was expected: a malformed or truncated frame is the
 * client's mistake. Schema descriptors are kept, so reflection still describes every service.
 */
final class ParsedRequests {

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private ParsedRequests() {
    }

    static ServerServiceDefinition of(ServerServiceDefinition service) {
        ServiceDescriptor original = service.getServiceDescriptor();
        List<ServerMethodDefinition<?, ?>> methods = service.getMethods().stream()
                .<ServerMethodDefinition<?, ?>>map(ParsedRequests::parsedInCall).toList();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
                .setSchemaDescriptor(original.getSchemaDescriptor());
        methods.forEach(method -> descriptor.addMethod(method.getMethodDescriptor()));
        ServerServiceDefinition.Builder parsed = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(parsed::addMethod);
        return parsed.build();
    }

    private static <Q, R> ServerMethodDefinition<byte[], R> parsedInCall(ServerMethodDefinition<Q, R> definition) {
        MethodDescriptor<Q, R> method = definition.getMethodDescriptor();
        MethodDescriptor<byte[], R> raw = method.toBuilder(BYTES, method.getResponseMarshaller()).build();
        ServerCallHandler<Q, R> handler = definition.getServerCallHandler();
        ServerCallHandler<byte[], R> parsing = (call, headers) -> listener(call, headers, method, handler);
        return ServerMethodDefinition.create(raw, parsing);
    }

    private static <Q, R> ServerCall.Listener<byte[]> listener(ServerCall<byte[], R> call, Metadata headers,
                                                                MethodDescriptor<Q, R> method, ServerCallHandler<Q, R> handler) {
        ServerCall.Listener<Q> typed = handler.startCall(new TypedCall<>(call, method), headers);
        return new ServerCall.Listener<byte[]>() {
            private boolean refused;

            @Override
            public void onMessage(byte[] frame) {
                Q request;
                try {
                    request = method.parseRequest(new ByteArrayInputStream(frame));
                } catch (RuntimeException e) {
                    refused = true;
                    call.close(Status.INVALID_ARGUMENT.withDescription("the request is not a valid "
                            + method.getFullMethodName() + " request message (" + frame.length + " bytes): "
                            + e.getMessage()), new Metadata());
                    return;
                }
                typed.onMessage(request);
            }

            @Override
            public void onHalfClose() {
                if (!refused) {
                    typed.onHalfClose();
                }
            }

            @Override
            public void onCancel() {
                typed.onCancel();
            }

            @Override
            public void onComplete() {
                typed.onComplete();
            }

            @Override
            public void onReady() {
                typed.onReady();
            }
        };
    }

    /** The call as the service's own handler sees it: typed requests, everything else passed through. */
    private static final class TypedCall<Q, R> extends ServerCall<Q, R> {
        private final ServerCall<byte[], R> raw;
        private final MethodDescriptor<Q, R> method;

        TypedCall(ServerCall<byte[], R> raw, MethodDescriptor<Q, R> method) {
            this.raw = raw;
            this.method = method;
        }

        @Override
        public void request(int numMessages) {
            raw.request(numMessages);
        }

        @Override
        public void sendHeaders(Metadata headers) {
            raw.sendHeaders(headers);
        }

        @Override
        public void sendMessage(R message) {
            raw.sendMessage(message);
        }

        @Override
        public void close(Status status, Metadata trailers) {
            raw.close(status, trailers);
        }

        @Override
        public boolean isCancelled() {
            return raw.isCancelled();
        }

        @Override
        public boolean isReady() {
            return raw.isReady();
        }

        @Override
        public void setMessageCompression(boolean enabled) {
            raw.setMessageCompression(enabled);
        }

        @Override
        public void setCompression(String compressor) {
            raw.setCompression(compressor);
        }

        @Override
        public void setOnReadyThreshold(int numBytes) {
            raw.setOnReadyThreshold(numBytes);
        }

        @Override
        public Attributes getAttributes() {
            return raw.getAttributes();
        }

        @Override
        public String getAuthority() {
            return raw.getAuthority();
        }

        @Override
        public MethodDescriptor<Q, R> getMethodDescriptor() {
            return method;
        }
    }
}
