package io.eventbus.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GrantTest {

    private static Grant grant(Permission permission, String... patterns) {
        return new Grant("t", Map.of(permission, List.of(patterns)));
    }

    @Test
    void aStarStandsForAnyRunOfCharactersDotsIncluded() {
        Grant grant = grant(Permission.PULL, "orders.*");
        assertThat(grant.allows(Permission.PULL, "orders.eu")).isTrue();
        assertThat(grant.allows(Permission.PULL, "orders.eu.dlq")).isTrue();
        assertThat(grant.allows(Permission.PULL, "orders.")).isTrue();
        assertThat(grant.allows(Permission.PULL, "orders")).isFalse();
        assertThat(grant.allows(Permission.PULL, "billing.orders.eu")).isFalse();
        assertThat(grant.allows(Permission.PUBLISH, "orders.eu")).as("another permission").isFalse();
    }

    @Test
    void everythingElseIsLiteral() {
        Grant grant = grant(Permission.ADMIN, "a+b.[x]", "*.dlq");
        assertThat(grant.allows(Permission.ADMIN, "a+b.[x]")).isTrue();
        assertThat(grant.allows(Permission.ADMIN, "aab.x")).isFalse();
        assertThat(grant.allows(Permission.ADMIN, "orders.dlq")).isTrue();
        assertThat(grant.allows(Permission.ADMIN, "orders.dlq.more")).isFalse();
        assertThat(grant.allowsEverything(Permission.ADMIN)).isFalse();
    }

    @Test
    void noPatternNoPermissionAndStarIsEverything() {
        Grant none = new Grant("t", Map.of());
        assertThat(none.allows(Permission.PUBLISH, "q")).isFalse();
        assertThat(none.allowsEverything(Permission.PUBLISH)).isFalse();
        Grant all = grant(Permission.PUBLISH, "*");
        assertThat(all.allows(Permission.PUBLISH, "anything.at:all")).isTrue();
        assertThat(all.allowsEverything(Permission.PUBLISH)).isTrue();
    }

    @Test
    void anAmqpPatternIsComparedAsText() {
        Grant grant = grant(Permission.PULL, "orders.*");
        assertThat(grant.allows(Permission.PULL, "orders.#")).isTrue();
        assertThat(grant.allows(Permission.PULL, "#")).isFalse();
        assertThat(grant.allows(Permission.PULL, "*.orders")).isFalse();
    }
}
