package ai.djl.gptq.tests.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.gptq.model.ActivationPrecision;
import ai.djl.gptq.model.CausalLanguageModel;
import ai.djl.gptq.translator.TextGenerationTranslatorFactory;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stress run of one shared model under eight threads, each with its own predictor (or session) and so its own KV
 * cache: every answer must be bit-identical to the same request run alone, which fails on any shared mutable state
 * on the hot path.
 */
class ConcurrentPredictorsTest {

    static final Path QWEN = Path.of("src/test/resources/fixtures/models/qwen2-gptq-int4");
    private static final int THREADS = 8;
    private static final long STRESS_NANOS = TimeUnit.SECONDS.toNanos(4);
    private static final String[] PROMPTS = {
        "def fibonacci(n):\n", "import numpy as np\n", "class Stack:\n", "for i in range(10):",
        "# sort a list\n", "def add(a, b):", "while True:\n", "print('hello"
    };

    static Criteria<String, String> criteria(int maxNewTokens) {
        return Criteria.builder()
                .setTypes(String.class, String.class)
                .optModelPath(QWEN)
                .optEngine("GPTQ")
                .optTranslatorFactory(new TextGenerationTranslatorFactory())
                .optArgument("maxNewTokens", maxNewTokens)
                .build();
    }

    /** Runs {@code work} on eight threads until the stress time is over and returns how many rounds each made. */
    private static int stress(Callable<Integer> work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Integer>> rounds = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                rounds.add(pool.submit(work));
            }
            int total = 0;
            for (Future<Integer> f : rounds) {
                total += f.get(60, TimeUnit.SECONDS);
            }
            return total;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Timeout(120)
    void eightPredictorsGiveWhatEachGivesAlone() throws Exception {
        try (ZooModel<String, String> model = criteria(6).loadModel()) {
            String[] alone = new String[PROMPTS.length];
            try (Predictor<String, String> predictor = model.newPredictor()) {
                for (int i = 0; i < PROMPTS.length; i++) {
                    alone[i] = predictor.predict(PROMPTS[i]);
                }
            }
            long end = System.nanoTime() + STRESS_NANOS;
            int[] next = {0};
            int total = stress(() -> {
                int offset;
                synchronized (next) {
                    offset = next[0]++;
                }
                int rounds = 0;
                try (Predictor<String, String> predictor = model.newPredictor()) {
                    do {
                        int p = (offset + rounds) % PROMPTS.length;
                        assertEquals(alone[p], predictor.predict(PROMPTS[p]), "prompt " + p + " on thread " + offset);
                        rounds++;
                    } while (System.nanoTime() < end);
                }
                return rounds;
            });
            assertTrue(total >= THREADS, "rounds " + total);
            System.out.printf("ConcurrentPredictorsTest: %d predictions on %d threads%n", total, THREADS);
        }
    }

    @Test
    @Timeout(120)
    void eightSessionsGiveTheLogitsEachGivesAlone() throws Exception {
        try (CausalLanguageModel model = CausalLanguageModel.load(QWEN, ActivationPrecision.FP16)) {
            int[][] prompts = new int[THREADS][];
            float[][] alone = new float[THREADS][];
            for (int t = 0; t < THREADS; t++) {
                prompts[t] = new int[3 + 2 * t];
                for (int i = 0; i < prompts[t].length; i++) {
                    prompts[t][i] = (17 + 131 * t + 37 * i) % model.vocabSize();
                }
                alone[t] = model.logits(prompts[t]);
            }
            long end = System.nanoTime() + STRESS_NANOS;
            int[] next = {0};
            int total = stress(() -> {
                int t;
                synchronized (next) {
                    t = next[0]++;
                }
                int rounds = 0;
                do {
                    int p = (t + rounds) % THREADS;
                    try (CausalLanguageModel.Session session = model.newSession(prompts[p].length)) {
                        assertArrayEquals(alone[p], session.forwardAll(prompts[p]), "prompt " + p + " on thread " + t);
                    }
                    rounds++;
                } while (System.nanoTime() < end);
                return rounds;
            });
            assertTrue(total >= THREADS, "rounds " + total);
            System.out.printf("ConcurrentPredictorsTest: %d forward passes on %d sessions%n", total, THREADS);
        }
    }
}
