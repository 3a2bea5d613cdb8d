package ai.djl.gptq.tests.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.ZooModel;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many short predictions on one model leave heap, NDManager resources, direct and mapped memory flat, and closing
 * the model unmaps its files. CI runs 2,000 predictions; a long run takes
 * {@code -Dgptq.leak.predictions=10000}.
 */
class LeakTest {

    private static final int PREDICTIONS = Integer.getInteger("gptq.leak.predictions", 2_000);
    private static final int WARM_UP = 100;
    /** Heap a retained object per prediction would exceed: 2,000 x 1 KiB plus noise from the JIT and class loading. */
    private static final long HEAP_SLACK = 3L << 20;
    /** Off-heap memory a leaked segment or buffer per prediction would exceed: 2,000 x 512 bytes. */
    private static final long OFF_HEAP_SLACK = 1L << 20;

    private static BufferPoolMXBean pool(String name) {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals(name)).findFirst().orElseThrow();
    }

    /**
     * The bytes of live objects, from a full-GC class histogram: heap "used" after {@code System.gc()} also counts
     * the dead objects the parallel collector leaves in its dense prefix, megabytes of noise.
     */
    private static long liveHeap() throws Exception {
        String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {null}, new String[] {String[].class.getName()});
        String[] total = histogram.strip().lines().reduce((a, b) -> b).orElseThrow().trim().split("\\s+");
        assertEquals("Total", total[0], histogram);
        return Long.parseLong(total[2]);
    }

    /**
     * Committed bytes of native memory tracking's "Other" category: what Java code allocates off the heap
     * ({@code Arena.allocate}, direct buffers). The tests module runs with {@code -XX:NativeMemoryTracking=summary};
     * -1 when tracking is off.
     */
    private static long offHeapCommitted() throws Exception {
        String summary = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
        Matcher m = Pattern.compile("-\\s+Other \\(reserved=\\d+KB, committed=(\\d+)KB\\)").matcher(summary);
        return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
    }

    private record Footprint(
            long heap, int arrays, long directBytes, long directCount, long mappedBytes, long mappedCount, long offHeap) {
        static Footprint of(NDManager manager) throws Exception {
            BufferPoolMXBean direct = pool("direct");
            BufferPoolMXBean mapped = pool("mapped");
            return new Footprint(liveHeap(), manager.getManagedArrays().size(), direct.getMemoryUsed(),
                    direct.getCount(), mapped.getMemoryUsed(), mapped.getCount(), offHeapCommitted());
        }
    }

    @Test
    @Timeout(300)
    void manyPredictionsLeaveMemoryFlat() throws Exception {
        BufferPoolMXBean mapped = pool("mapped");
        long mappedBefore = mapped.getCount();
        long mappedBytesBefore = mapped.getMemoryUsed();
        String[] prompts = {"def f(x):", "import os\n", "class A:", "x = [1, 2"};
        Footprint start;
        Footprint end;
        long nanos;
        try (ZooModel<String, String> model = ConcurrentPredictorsTest.criteria(2).loadModel()) {
            assertTrue(mapped.getCount() > mappedBefore, "the weights are not counted as mapped");
            NDManager manager = model.getNDManager();
            try (Predictor<String, String> predictor = model.newPredictor()) {
                for (int i = 0; i < WARM_UP; i++) {
                    predictor.predict(prompts[i % prompts.length]);
                }
                start = Footprint.of(manager);
                long t0 = System.nanoTime();
                for (int i = 0; i < PREDICTIONS; i++) {
                    assertFalse(predictor.predict(prompts[i % prompts.length]).isEmpty());
                }
                nanos = System.nanoTime() - t0;
                end = Footprint.of(manager);
            }
            System.out.printf("LeakTest: %d predictions in %.1f s; start %s; end %s%n", PREDICTIONS, nanos / 1e9, start, end);
            assertEquals(start.arrays(), end.arrays(), "NDArrays attached to the model's manager");
            // Growth is a leak; a drop is other tests' buffers being cleaned, which the JVM does asynchronously.
            assertTrue(end.directCount() <= start.directCount(), "direct buffers grew: " + start + " -> " + end);
            assertTrue(end.directBytes() <= start.directBytes(), "direct bytes grew: " + start + " -> " + end);
            assertTrue(end.mappedCount() <= start.mappedCount(), "mapped files grew: " + start + " -> " + end);
            assertTrue(end.mappedBytes() <= start.mappedBytes(), "mapped bytes grew: " + start + " -> " + end);
            assertTrue(end.heap() - start.heap() < HEAP_SLACK, "heap grew by " + (end.heap() - start.heap()) + " bytes");
            assertTrue(start.offHeap() >= 0, "native memory tracking is off: the tests module runs with -XX:NativeMemoryTracking=summary");
            assertTrue(end.offHeap() - start.offHeap() < OFF_HEAP_SLACK, "off-heap memory grew by " + (end.offHeap() - start.offHeap()) + " bytes");
        }
        assertTrue(mapped.getCount() <= mappedBefore, "mapped files after the model closed: " + mapped.getCount() + " > " + mappedBefore);
        assertTrue(mapped.getMemoryUsed() <= mappedBytesBefore, "mapped bytes after the model closed: " + mapped.getMemoryUsed() + " > " + mappedBytesBefore);
    }
}
