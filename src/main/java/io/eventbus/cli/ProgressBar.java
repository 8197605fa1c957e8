package io.eventbus.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A progress bar for long work, on standard error so that standard output keeps only results:
 * redrawn in place five times a second on a terminal, otherwise (a log, a pipe) one line a second.
 * A line of text needs no library; the bench prints the same bar in its own per-second lines.
 */
public final class ProgressBar implements AutoCloseable {

    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final String label;
    private final long total;
    private final boolean inPlace;
    private final long start = System.nanoTime();
    private final AtomicLong done = new AtomicLong();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "progress");
        thread.setDaemon(true);
        return thread;
    });
    private boolean closed;

    /** Starts drawing; {@code inPlace} redraws one line (a terminal), otherwise a line a second. */
    public ProgressBar(PrintWriter err, String label, long total, boolean inPlace) {
        this.err = err;
        this.label = label;
        this.total = total;
        this.inPlace = inPlace;
        long period = inPlace ? 200 : 1000;
        ticker.scheduleAtFixedRate(this::draw, period, period, TimeUnit.MILLISECONDS);
    }

    /** True when the process talks to a terminal (no redirection), where a bar may redraw itself. */
    public static boolean onTerminal() {
        return System.console() != null;
    }

    /** {@code count} more done. */
    public void step(long count) {
        done.addAndGet(count);
    }

    /** {@code [#########.....................]}: {@code done} of {@code total}. */
    public static String bar(long done, long total) {
        int filled = (int) Math.min(WIDTH, WIDTH * Math.max(0, done) / Math.max(1, total));
        return "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "]";
    }

    private synchronized void draw() {
        if (closed) {
            return;
        }
        long now = done.get();
        double seconds = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
        String line = String.format(Locale.ROOT, "%s %s %d/%d %3d%% %.0f msg/s", label, bar(now, total), now, total,
                100 * now / Math.max(1, total), now / seconds);
        if (inPlace) {
            err.print("\r" + line);
            err.flush();
        } else {
            err.println(line);
        }
    }

    /** Draws the last state and stops. */
    @Override
    public void close() {
        ticker.shutdownNow();
        draw();
        synchronized (this) {
            closed = true;
            if (inPlace) {
                err.println();
            }
        }
    }
}
