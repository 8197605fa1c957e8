package io.eventbus.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class AdminGuardTest {

    private static String basic(String userAndPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void takesTheTokenFromBearerOrFromBasicsPassword() {
        assertThat(AdminGuard.credential("Bearer ebt_1")).isEqualTo("ebt_1");
        assertThat(AdminGuard.credential(basic("ops:ebt_2"))).isEqualTo("ebt_2");
        assertThat(AdminGuard.credential(basic("ebt_3:"))).isEqualTo("ebt_3");
        assertThat(AdminGuard.credential(basic(":"))).isNull();
        assertThat(AdminGuard.credential("Basic !!!")).isNull();
        assertThat(AdminGuard.credential("Digest x")).isNull();
        assertThat(AdminGuard.credential(null)).isNull();
    }

    @Test
    void onlyLoopbackAddressesAreLocal() {
        assertThat(AdminGuard.isLoopback(SocketAddress.inetSocketAddress(1, "127.0.0.1"))).isTrue();
        assertThat(AdminGuard.isLoopback(SocketAddress.inetSocketAddress(1, "127.8.9.10"))).isTrue();
        assertThat(AdminGuard.isLoopback(SocketAddress.inetSocketAddress(1, "0:0:0:0:0:0:0:1"))).isTrue();
        assertThat(AdminGuard.isLoopback(SocketAddress.inetSocketAddress(1, "192.0.2.2"))).isFalse();
        assertThat(AdminGuard.isLoopback(SocketAddress.inetSocketAddress(1, "::ffff:10.0.0.1"))).isFalse();
        assertThat(AdminGuard.isLoopback(null)).isFalse();
    }
}
