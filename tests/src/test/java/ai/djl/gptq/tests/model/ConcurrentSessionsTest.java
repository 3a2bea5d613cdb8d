package ai.djl.gptq.tests.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.gptq.model.ActivationPrecision;
import ai.djl.gptq.model.CausalLanguageModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** One model, shared read-only; sessions on several threads at once give what they give alone. */
class ConcurrentSessionsTest {

    @Test
    void sessionsOnSeveralThreadsDoNotInterfere() throws Exception {
        Fixture fixture = Fixture.LLAMA_GPTQ_INT4_ACTORDER;
        int[][] prompts = {fixture.reference(0).inputIds(), fixture.reference(1).inputIds()};
        try (CausalLanguageModel model = CausalLanguageModel.load(fixture.folder(), ActivationPrecision.FP16)) {
            int[][] alone = {model.generateGreedy(prompts[0], 24), model.generateGreedy(prompts[1], 24)};
            ExecutorService threads = Executors.newFixedThreadPool(4);
            try {
                List<Future<int[]>> results = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    int[] prompt = prompts[i % 2];
                    results.add(threads.submit(() -> model.generateGreedy(prompt, 24)));
                }
                for (int i = 0; i < results.size(); i++) {
                    assertArrayEquals(alone[i % 2], results.get(i).get(), "generation " + i);
                }
            } finally {
                threads.shutdownNow();
            }
        }
    }
}
