package ai.djl.gptq.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed set of platform threads that run one kernel at a time, split into chunks. Sized to the available
 * cores (system property {@code gptq.threads} overrides). Decoding calls a kernel a few hundred times per
 * token, so waking the workers must cost microseconds: they spin briefly on a volatile epoch before parking,
 * and a job allocates nothing. When another thread already runs a job (several predictors at once), the
 * caller runs its job alone instead of waiting (as does a job that starts another from inside a chunk),
 * which keeps every result identical and avoids deadlock.
 */
public final class ComputePool {

    /** One parallel job: process chunks {@code [from, to)} of its index space. */
    @FunctionalInterface
    public interface Job {
        void run(int from, int to);
    }

    private static final ComputePool SHARED = new ComputePool(threadCount());
    private static final long SPIN_NANOS = 50_000;

    private final int parallelism;
    private final Thread[] workers;
    private final ReentrantLock submit = new ReentrantLock();
    private final AtomicInteger nextChunk = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile long epoch;
    private volatile Job job;
    private volatile int jobSize;
    private volatile int chunkSize;
    private volatile Thread caller;
    private volatile Throwable failure;

    ComputePool(int parallelism) {
        this.parallelism = Math.max(1, parallelism);
        this.workers = new Thread[this.parallelism - 1];
        for (int i = 0; i < workers.length; i++) {
            Thread t = new Thread(this::workLoop, "gptq-compute-" + (i + 1));
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    /** The process-wide pool the kernels use. */
    public static ComputePool shared() {
        return SHARED;
    }

    /** Threads that take part in a job, the caller included. */
    public int parallelism() {
        return parallelism;
    }

    private static int threadCount() {
        String configured = System.getProperty("gptq.threads");
        if (configured != null) {
            try {
                int n = Integer.parseInt(configured.trim());
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // fall through to the default
            }
            throw new IllegalArgumentException("system property gptq.threads must be a positive integer, got '" + configured + "'");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * Runs {@code job} over {@code [0, size)} in chunks of at least {@code grain} indices, on the caller and the
     * workers, and returns when all chunks are done. Exceptions from any chunk are rethrown here.
     */
    public void run(int size, int grain, Job job) {
        if (size <= 0) {
            return;
        }
        // Many small chunks, taken dynamically, keep threads balanced when one is slowed by another process.
        int chunks = Math.min(parallelism * 16, Math.max(1, size / Math.max(1, grain)));
        if (chunks == 1 || workers.length == 0 || submit.isHeldByCurrentThread() || !submit.tryLock()) {
            job.run(0, size);
            return;
        }
        try {
            this.job = job;
            this.jobSize = size;
            this.chunkSize = (size + chunks - 1) / chunks;
            this.caller = Thread.currentThread();
            this.failure = null;
            nextChunk.set(0);
            pending.set(workers.length);
            epoch++;
            for (Thread w : workers) {
                LockSupport.unpark(w);
            }
            runChunks();
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (pending.get() > 0) {
                if (System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 100_000);
                }
            }
            this.job = null;
            Throwable t = failure;
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
        } finally {
            submit.unlock();
        }
    }

    private void runChunks() {
        Job j = job;
        int size = jobSize;
        int chunk = chunkSize;
        int c;
        while ((c = nextChunk.getAndIncrement()) * (long) chunk < size) {
            int from = c * chunk;
            try {
                j.run(from, Math.min(size, from + chunk));
            } catch (Throwable t) {
                failure = t;
            }
        }
    }

    private void workLoop() {
        long seen = 0;
        while (true) {
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (epoch == seen) {
                if (System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            seen = epoch;
            runChunks();
            if (pending.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }
    }
}
