package io.eventbus.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TokensTest {

    private final Map<String, String> properties = new HashMap<>();

    private Tokens configured() {
        return Tokens.configured(key -> Optional.ofNullable(properties.get(key)));
    }

    @Test
    void findsAConfiguredTokenByItsHashWithItsGrants() {
        String token = Tokens.generate(new SecureRandom());
        properties.put("eventbus.auth.tokens", " orders , ops");
        properties.put("eventbus.auth.token.orders.sha256", Tokens.sha256(token).toUpperCase());
        properties.put("eventbus.auth.token.orders.publish", "orders.*, billing");
        properties.put("eventbus.auth.token.ops.sha256", Tokens.sha256("another"));
        properties.put("eventbus.auth.token.ops.admin", "*");

        Tokens tokens = configured();

        assertThat(tokens.size()).isEqualTo(2);
        Grant grant = tokens.find(token).orElseThrow();
        assertThat(grant.name()).isEqualTo("orders");
        assertThat(grant.patterns(Permission.PUBLISH)).containsExactly("orders.*", "billing");
        assertThat(grant.patterns(Permission.PULL)).isEmpty();
        assertThat(tokens.find("another").orElseThrow().allowsEverything(Permission.ADMIN)).isTrue();
        assertThat(tokens.find(token + "x")).isEmpty();
        assertThat(tokens.find("")).isEmpty();
        assertThat(tokens.find(null)).isEmpty();
    }

    @Test
    void aNameWithoutAValidHashIsRefusedNamingTheKey() {
        properties.put("eventbus.auth.tokens", "orders");
        assertThatThrownBy(this::configured).hasMessageContaining("eventbus.auth.token.orders.sha256")
                .hasMessageContaining("not set");
        properties.put("eventbus.auth.token.orders.sha256", "abc");
        assertThatThrownBy(this::configured).hasMessageContaining("eventbus.auth.token.orders.sha256")
                .hasMessageContaining("64 hex digits");
        properties.put("eventbus.auth.tokens", "or ders");
        assertThatThrownBy(this::configured).hasMessageContaining("'or ders'");
    }

    @Test
    void noTokensConfiguredIsEmpty() {
        assertThat(configured().isEmpty()).isTrue();
        properties.put("eventbus.auth.tokens", "");
        assertThat(configured().isEmpty()).isTrue();
    }

    @Test
    void readsTheBearerValue() {
        assertThat(Tokens.bearer("Bearer abc")).isEqualTo("abc");
        assertThat(Tokens.bearer("bearer  abc ")).isEqualTo("abc");
        assertThat(Tokens.bearer("Basic abc")).isNull();
        assertThat(Tokens.bearer("Bearer ")).isNull();
        assertThat(Tokens.bearer("Bearer")).isNull();
        assertThat(Tokens.bearer(null)).isNull();
    }

    @Test
    void generatedTokensAreLongRandomAndMarked() {
        SecureRandom random = new SecureRandom();
        String one = Tokens.generate(random);
        assertThat(one).startsWith(Tokens.PREFIX).hasSize(Tokens.PREFIX.length() + 43);
        assertThat(Tokens.generate(random)).isNotEqualTo(one);
        assertThat(Tokens.sha256("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
