package ai.djl.gptq.tests.reliability;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.gptq.generate.Generation;
import ai.djl.gptq.model.ActivationPrecision;
import ai.djl.gptq.model.CausalLanguageModel;
import ai.djl.gptq.translator.TextGenerationTranslatorFactory;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Closing what a generation runs on, from another thread, ends that generation with a clear exception. */
class CloseWhileGeneratingTest {

    /** Generates until the session fails, counting steps; the cache is as large as the model allows. */
    private static CompletableFuture<Void> generateForever(CausalLanguageModel.Session session, CountDownLatch started,
            AtomicInteger steps) {
        return CompletableFuture.runAsync(() -> {
            int[] step = {1};
            session.forward(new int[] {1, 2, 3});
            while (true) {
                started.countDown();
                step[0] = 1 + (step[0] * 31 + steps.incrementAndGet()) % 4000;
                session.forward(step);
            }
        });
    }

    private static Throwable failure(CompletableFuture<?> generation) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> generation.get(30, TimeUnit.SECONDS));
        return e.getCause();
    }

    @Test
    @Timeout(60)
    void closingTheModelStopsAGenerationOnAnotherThread() throws Exception {
        CausalLanguageModel model = CausalLanguageModel.load(ConcurrentPredictorsTest.QWEN, ActivationPrecision.FP16);
        CausalLanguageModel.Session session = model.newSession(model.maxContext());
        CountDownLatch started = new CountDownLatch(5);
        AtomicInteger steps = new AtomicInteger();
        CompletableFuture<Void> generation = generateForever(session, started, steps);
        assertTrue(started.await(30, TimeUnit.SECONDS), "generation did not start");
        model.close();
        Throwable cause = failure(generation);
        assertInstanceOf(IllegalStateException.class, cause, String.valueOf(cause));
        assertTrue(String.valueOf(cause.getMessage()).contains("closed"), cause.getMessage());

        IllegalStateException reuse = assertThrows(IllegalStateException.class, () -> session.forward(new int[] {1}));
        assertTrue(reuse.getMessage().contains("closed"), reuse.getMessage());
        IllegalStateException fresh = assertThrows(IllegalStateException.class, () -> model.newSession(4));
        assertTrue(fresh.getMessage().contains("closed"), fresh.getMessage());
        assertThrows(IllegalStateException.class, () -> model.logits(new int[] {1, 2}));
        assertThrows(IllegalStateException.class, () -> model.generateGreedy(new int[] {1, 2}, 2));
        model.close();
    }

    @Test
    @Timeout(60)
    void closingTheSessionStopsAGenerationOnAnotherThread() throws Exception {
        try (CausalLanguageModel model = CausalLanguageModel.load(ConcurrentPredictorsTest.QWEN, ActivationPrecision.FP16)) {
            CausalLanguageModel.Session session = model.newSession(model.maxContext());
            CountDownLatch started = new CountDownLatch(5);
            AtomicInteger steps = new AtomicInteger();
            CompletableFuture<Void> generation = generateForever(session, started, steps);
            assertTrue(started.await(30, TimeUnit.SECONDS), "generation did not start");
            session.close();
            Throwable cause = failure(generation);
            assertInstanceOf(IllegalStateException.class, cause, String.valueOf(cause));
            assertTrue(cause.getMessage().contains("session is closed"), cause.getMessage());
            // The model itself is unharmed.
            assertTrue(model.generateGreedy(new int[] {1, 2, 3}, 2).length == 2);
        }
    }

    @Test
    @Timeout(60)
    void closingAGenerationIteratorOrTheModelStopsItsConsumer() throws Exception {
        Criteria<String, Generation> criteria = Criteria.builder()
                .setTypes(String.class, Generation.class)
                .optModelPath(ConcurrentPredictorsTest.QWEN)
                .optEngine("GPTQ")
                .optTranslatorFactory(new TextGenerationTranslatorFactory())
                .optArgument("maxNewTokens", 1000)
                .optArgument("ignoreEos", true)
                .build();
        ZooModel<String, Generation> model = criteria.loadModel();
        try (Predictor<String, Generation> predictor = model.newPredictor()) {
            Generation first = predictor.predict("def fibonacci(n):\n");
            CompletableFuture<Integer> consumer = consume(first);
            Thread.sleep(200);
            first.close();
            // Either the iterator ends early or the next step refuses the closed session; both are clean.
            Integer pieces = endOf(consumer);
            assertTrue(pieces == null || first.generatedIds().length < 1000, "ran on after close");

            Generation second = predictor.predict("class Stack:\n");
            CompletableFuture<Integer> other = consume(second);
            Thread.sleep(200);
            model.close();
            Throwable cause = failure(other);
            assertInstanceOf(IllegalStateException.class, cause, String.valueOf(cause));
            assertTrue(String.valueOf(cause.getMessage()).contains("closed"), cause.getMessage());
        }
        NDManager manager = model.getNDManager();
        assertThrows(IllegalStateException.class, () -> manager.create(new float[] {1f}));
    }

    @Test
    @Timeout(30)
    void aClosedManagersArraysRefuseUse() {
        NDManager manager = NDManager.newBaseManager("GPTQ");
        NDArray array = manager.create(new float[] {1f, 2f});
        manager.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, array::toFloatArray);
        assertTrue(e.getMessage().contains("release"), e.getMessage());
    }

    private static CompletableFuture<Integer> consume(Generation generation) {
        return CompletableFuture.supplyAsync(() -> {
            int pieces = 0;
            while (generation.hasNext()) {
                generation.next();
                pieces++;
            }
            return pieces;
        });
    }

    /** The consumer's piece count when it ended normally, {@code null} when it failed with IllegalStateException. */
    private static Integer endOf(CompletableFuture<Integer> consumer) throws Exception {
        try {
            return consumer.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertInstanceOf(IllegalStateException.class, e.getCause(), String.valueOf(e.getCause()));
            return null;
        }
    }
}
