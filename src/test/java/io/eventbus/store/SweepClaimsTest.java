package io.eventbus.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SweepClaimsTest {

    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(1000 * SECOND);
    // claims of 3 s, renewed after 1 s, for at most 10 s
    private final SweepClaims claims = new SweepClaims(3, 10, now::get);

    @Test
    void aClaimIsRenewedOnceAThirdOfItsTimeHasPassedSinceItWasTakenOrRenewed() {
        claims.begin("c1", List.of("a", "b"));
        assertThat(claims.toRenew()).isEmpty();
        now.addAndGet(SECOND);
        assertThat(claims.toRenew()).containsExactly(new SweepClaims.Held("c1", List.of("a", "b")));
        assertThat(claims.toRenew()).as("just renewed").isEmpty();
        now.addAndGet(SECOND / 2);
        assertThat(claims.toRenew()).isEmpty();
        now.addAndGet(SECOND / 2);
        assertThat(claims.toRenew()).extracting(SweepClaims.Held::claim).containsExactly("c1");
    }

    @Test
    void aRoundThatEndedOrOutlivedTheLockExpirationIsNotRenewed() {
        claims.begin("ended", List.of("a"));
        claims.begin("stuck", List.of("b"));
        claims.end("ended");
        assertThat(claims.held()).isEqualTo(1);
        now.addAndGet(9 * SECOND);
        assertThat(claims.toRenew()).extracting(SweepClaims.Held::claim).containsExactly("stuck");
        now.addAndGet(SECOND);
        assertThat(claims.toRenew()).as("10 s after it was taken").isEmpty();
    }

    @Test
    void aRoundsProgressGathersItsChunksAndItsFirstFailure() throws Exception {
        SweepClaims.Progress progress = claims.progress();
        claims.confirmed(progress, List.of("a", "b"));
        claims.confirmedOne(progress, "c");
        claims.confirmed(null, List.of("ignored"));
        claims.rethrow(progress);
        IllegalStateException first = new IllegalStateException("first");
        claims.failed(progress, first);
        claims.failed(progress, new IllegalStateException("second"));
        assertThat(claims.published(progress)).containsExactly("a", "b", "c");
        assertThat(claims.published(null)).isEmpty();
        assertThatThrownBy(() -> claims.rethrow(progress)).isSameAs(first);
    }

    @Test
    void theDestinationsHeldAreNeverAnEmptyList() {
        assertThat(claims.destinations(List.of())).hasSize(1).doesNotContain("", "/");
        assertThat(claims.destinations(List.of(java.util.Map.of("destination", "orders/"))))
                .hasSize(2).contains("orders/");
    }
}
