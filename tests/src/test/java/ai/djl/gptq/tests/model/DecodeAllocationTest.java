package ai.djl.gptq.tests.model;

import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.gptq.model.ActivationPrecision;
import ai.djl.gptq.model.CausalLanguageModel;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Once a session has run and the JIT has compiled the kernels, decoding a token on the GPTQ engine allocates
 * nothing on the calling thread. Until C2 compiles them, Vector API values are heap objects; in a long test run
 * the compile queue can be busy for a while, so the test measures consecutive windows of tokens and requires one
 * of them to allocate exactly nothing: an allocation in our code would show in every window.
 */
class DecodeAllocationTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @ParameterizedTest
    @EnumSource(ActivationPrecision.class)
    void decodingATokenAllocatesNothing(ActivationPrecision precision) {
        int warmup = 200;
        int measured = 50;
        int windows = 15;
        try (CausalLanguageModel model = CausalLanguageModel.load(Fixture.QWEN2_GPTQ_INT4.folder(), precision);
                CausalLanguageModel.Session session = model.newSession(8 + warmup + windows * measured)) {
            float[] logits = session.forward(new int[] {319, 289, 1457, 269, 571, 492, 8, 78});
            int[] step = new int[1];
            for (int i = 0; i < warmup; i++) {
                step[0] = argMax(logits);
                logits = session.forward(step);
            }
            long thread = Thread.currentThread().threadId();
            long[] allocated = new long[windows];
            for (int w = 0; w < windows; w++) {
                long before = THREADS.getThreadAllocatedBytes(thread);
                for (int i = 0; i < measured; i++) {
                    step[0] = argMax(logits);
                    logits = session.forward(step);
                }
                allocated[w] = THREADS.getThreadAllocatedBytes(thread) - before;
                if (allocated[w] == 0) {
                    return;
                }
            }
            fail("every window of " + measured + " decoded tokens allocated: " + Arrays.toString(allocated) + " bytes");
        }
    }

    private static int argMax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
