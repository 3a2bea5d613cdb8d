package ai.djl.gptq.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A probe of the memory-read bandwidth the kernels can reach: an off-heap buffer much larger than the
 * last-level cache, read end to end on the {@link ComputePool}'s threads (with the Vector API when it is
 * present). Decode speed is bounded by this number, so benchmarks measure it in the same process and report
 * kernel throughput as a fraction of it. On a shared host it varies from moment to moment: measure it next to
 * the thing it is compared with.
 */
public final class MemoryBandwidth implements AutoCloseable {

    /** Bytes one pool chunk reads: large enough to amortize scheduling, small enough to balance threads. */
    private static final long BLOCK = 1 << 20;

    private final Arena arena;
    private final MemorySegment buffer;
    private final int blocks;
    private final double[] blockSums;
    private int nextBlock;

    private MemoryBandwidth(long bytes) {
        this.blocks = (int) Math.max(1, bytes / BLOCK);
        this.arena = Arena.ofShared();
        this.buffer = arena.allocate(blocks * BLOCK, 64);
        // Writing every page makes the kernel back the buffer with memory before the first timed read.
        for (long i = 0; i < buffer.byteSize(); i += 8) {
            buffer.set(ValueLayout.JAVA_LONG, i, i);
        }
        this.blockSums = new double[blocks];
    }

    /** Allocates and touches a probe buffer of about {@code bytes} (rounded down to whole MiB, at least one). */
    public static MemoryBandwidth allocate(long bytes) {
        return new MemoryBandwidth(bytes);
    }

    /** Bytes one {@link #read()} streams. */
    public long bytes() {
        return buffer.byteSize();
    }

    /** Reads the whole buffer once on the pool's threads; returns a checksum so the reads cannot be elided. */
    public double read() {
        return read(0, blocks);
    }

    /**
     * Reads the next {@code bytes} of the buffer (whole MiB, at least one), continuing where the previous slice
     * ended and wrapping around. With a buffer much larger than the cache every slice comes from memory, and a
     * slice about as large as a weight matrix is timed on the same scale, and disturbed by other processes
     * just as often, as a matmul over that matrix.
     */
    public double readSlice(long bytes) {
        int count = (int) Math.clamp(bytes / BLOCK, 1, blocks);
        int first = nextBlock;
        if (first + count > blocks) {
            first = 0;
        }
        nextBlock = first + count;
        return read(first, count);
    }

    private double read(int first, int count) {
        ComputePool.shared().run(count, 1, (from, to) -> {
            for (int b = first + from; b < first + to; b++) {
                long start = b * BLOCK;
                blockSums[b] = Kernels.vectorized() ? VectorMemoryRead.sum(buffer, start, BLOCK) : scalarSum(buffer, start, BLOCK);
            }
        });
        double sum = 0;
        for (int b = first; b < first + count; b++) {
            sum += blockSums[b];
        }
        return sum;
    }

    /** The best of {@code repeats} timed reads (after one untimed one), in GB/s (10^9 bytes per second). */
    public double measure(int repeats) {
        read();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < repeats; i++) {
            long start = System.nanoTime();
            read();
            best = Math.min(best, System.nanoTime() - start);
        }
        return bytes() / (double) best;
    }

    /** Frees the buffer. */
    @Override
    public void close() {
        arena.close();
    }

    private static double scalarSum(MemorySegment segment, long start, long length) {
        long a0 = 0;
        long a1 = 0;
        long a2 = 0;
        long a3 = 0;
        for (long i = start; i < start + length; i += 32) {
            a0 += segment.get(ValueLayout.JAVA_LONG, i);
            a1 += segment.get(ValueLayout.JAVA_LONG, i + 8);
            a2 += segment.get(ValueLayout.JAVA_LONG, i + 16);
            a3 += segment.get(ValueLayout.JAVA_LONG, i + 24);
        }
        return (double) (a0 + a1 + a2 + a3);
    }
}
