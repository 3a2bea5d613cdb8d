package ai.djl.gptq.tests.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.gptq.model.ActivationPrecision;
import ai.djl.gptq.model.CausalLanguageModel;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Once a session has run, decoding a token on the GPTQ engine allocates nothing on the calling thread. */
class DecodeAllocationTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @ParameterizedTest
    @EnumSource(ActivationPrecision.class)
    void decodingATokenAllocatesNothing(ActivationPrecision precision) {
        int warmup = 200;
        int measured = 50;
        try (CausalLanguageModel model = CausalLanguageModel.load(Fixture.QWEN2_GPTQ_INT4.folder(), precision);
                CausalLanguageModel.Session session = model.newSession(8 + warmup + measured)) {
            float[] logits = session.forward(new int[] {319, 289, 1457, 269, 571, 492, 8, 78});
            int[] step = new int[1];
            for (int i = 0; i < warmup; i++) {
                step[0] = argMax(logits);
                logits = session.forward(step);
            }
            long thread = Thread.currentThread().threadId();
            long before = THREADS.getThreadAllocatedBytes(thread);
            for (int i = 0; i < measured; i++) {
                step[0] = argMax(logits);
                logits = session.forward(step);
            }
            long allocated = THREADS.getThreadAllocatedBytes(thread) - before;
            assertEquals(0, allocated, "bytes allocated by " + measured + " decoded tokens");
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
