package ai.djl.gptq.zoo.hub;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Interrupts a download that has received nothing for too long. {@code java.net.http} has no read timeout once
 * the headers are in, and a CDN connection can go silent without closing; interrupting the reading thread makes
 * its blocked read throw, and the download then resumes from what it has.
 */
final class StallWatch implements AutoCloseable {

    private static final ScheduledExecutorService TIMER =
            Executors.newSingleThreadScheduledExecutor(
                    runnable -> {
                        Thread thread = new Thread(runnable, "gptq-hub-stall-watch");
                        thread.setDaemon(true);
                        return thread;
                    });

    private final Thread reader;
    private final long timeoutNanos;
    private final ScheduledFuture<?> check;
    private volatile long lastProgress;
    private boolean fired;
    private boolean closed;

    /**
     * Starts watching the calling thread.
     *
     * @param timeout how long the thread may receive nothing
     */
    StallWatch(Duration timeout) {
        reader = Thread.currentThread();
        timeoutNanos = timeout.toNanos();
        lastProgress = System.nanoTime();
        long period = Math.max(10, timeout.toMillis() / 4);
        check = TIMER.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    /** Notes that bytes arrived. */
    void progressed() {
        lastProgress = System.nanoTime();
    }

    /** Whether the watch interrupted the reader. */
    synchronized boolean fired() {
        return fired;
    }

    /** Stops watching and clears an interrupt this watch caused, so the caller can resume. */
    @Override
    public synchronized void close() {
        closed = true;
        check.cancel(false);
        if (fired) {
            Thread.interrupted();
        }
    }

    private synchronized void check() {
        if (!closed && !fired && System.nanoTime() - lastProgress > timeoutNanos) {
            fired = true;
            reader.interrupt();
        }
    }
}
