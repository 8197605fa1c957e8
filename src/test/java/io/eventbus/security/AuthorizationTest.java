package io.eventbus.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.grpc.mq.MqGrpc;
import io.eventbus.grpc.mq.MqTopicGrpc;
import io.eventbus.grpc.v1.EventBusGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class AuthorizationTest {

    @Test
    void everyMethodOfBothApisHasARule() {
        List<String> methods = Stream.of(MqGrpc.getServiceDescriptor(), MqTopicGrpc.getServiceDescriptor(),
                        EventBusGrpc.getServiceDescriptor())
                .map(ServiceDescriptor::getMethods).flatMap(java.util.Collection::stream)
                .map(MethodDescriptor::getFullMethodName).toList();
        assertThat(methods).hasSize(22);
        assertThat(Authorization.RULES.keySet()).containsExactlyInAnyOrderElementsOf(methods);
    }

    @Test
    void aBindPatternIsCheckedAlsoWithEachHashMatchingNoWord() {
        assertThat(Authorization.patternForms("orders.*.eu")).extracting(MessageTargets.Target::name).containsExactly("orders.*.eu");
        assertThat(Authorization.patternForms("#.eu")).extracting(MessageTargets.Target::name).containsExactly("#.eu", "eu");
        assertThat(Authorization.patternForms("x.#")).extracting(MessageTargets.Target::name).containsExactly("x.#", "x");
        assertThat(Authorization.patternForms("a.#.b")).extracting(MessageTargets.Target::name).containsExactly("a.#.b", "a.b");
        assertThat(Authorization.patternForms("#")).extracting(MessageTargets.Target::name).containsExactly("#", "");
    }
}
