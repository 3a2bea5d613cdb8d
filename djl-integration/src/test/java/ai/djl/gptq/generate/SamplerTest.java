package ai.djl.gptq.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SamplerTest {

    private static GenerationConfig sampling(Map<String, ?> overrides) {
        return GenerationConfig.DEFAULT.with(Map.of("doSample", true)).with(overrides);
    }

    @Test
    void greedyTakesFirstMaximum() {
        Sampler sampler = new Sampler(GenerationConfig.DEFAULT);
        assertEquals(1, sampler.next(new float[] {0f, 3f, 3f, -1f}, new int[0], 0));
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeOnce() {
        Sampler sampler = new Sampler(GenerationConfig.DEFAULT.with(Map.of("repetitionPenalty", 2f)));
        float[] logits = {4f, -1f, 3f};
        // token 0 seen twice: penalised once (4 -> 2), token 1: -1 -> -2; so token 2 (3) wins.
        assertEquals(2, sampler.next(logits, new int[] {0, 0, 1}, 3));
        assertEquals(2f, logits[0]);
        assertEquals(-2f, logits[1]);
        assertEquals(3f, logits[2]);
    }

    @Test
    void topKOneIsGreedy() {
        Sampler sampler = new Sampler(sampling(Map.of("topK", 1, "seed", 7)));
        for (int i = 0; i < 50; i++) {
            assertEquals(2, sampler.next(new float[] {1f, 2f, 5f, 4.9f}, new int[0], 0));
        }
    }

    @Test
    void topPKeepsSmallestSetReachingP() {
        // probabilities ~ 0.5, 0.3, 0.2 (log space); top_p 0.6 keeps the first two only.
        float[] base = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2)};
        Sampler sampler = new Sampler(sampling(Map.of("topP", 0.6, "topK", 0, "seed", 3)));
        int[] counts = new int[3];
        for (int i = 0; i < 4000; i++) {
            counts[sampler.next(base.clone(), new int[0], 0)]++;
        }
        assertEquals(0, counts[2]);
        double ratio = counts[0] / (double) (counts[0] + counts[1]);
        assertEquals(0.5 / 0.8, ratio, 0.03);
    }

    @Test
    void samplingMatchesSoftmaxWithTemperatureAndIsReproducible() {
        float[] base = {0f, 1f, 2f};
        GenerationConfig config = sampling(Map.of("temperature", 2.0, "topK", 0, "seed", 42));
        Sampler a = new Sampler(config);
        Sampler b = new Sampler(config);
        int[] counts = new int[3];
        for (int i = 0; i < 6000; i++) {
            int t = a.next(base.clone(), new int[0], 0);
            assertEquals(t, b.next(base.clone(), new int[0], 0));
            counts[t]++;
        }
        double z = Math.exp(0) + Math.exp(0.5) + Math.exp(1);
        assertEquals(Math.exp(1) / z, counts[2] / 6000.0, 0.025);
        assertEquals(Math.exp(0) / z, counts[0] / 6000.0, 0.025);
    }

    @Test
    void nanLogitsAreAnError() {
        Sampler sampler = new Sampler(GenerationConfig.DEFAULT);
        assertThrows(IllegalStateException.class, () -> sampler.next(new float[] {0f, Float.NaN}, new int[0], 0));
    }

    @Test
    void invalidSettingsAreRefusedWithTheirName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sampling(Map.of("temperature", 0)));
        assertTrue(e.getMessage().contains("temperature"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.DEFAULT.with(Map.of("maxNewTokens", 0)));
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.DEFAULT.with(Map.of("max_new_tokens", Integer.MAX_VALUE)));
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.DEFAULT.with(Map.of("topP", 0)));
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.DEFAULT.with(Map.of("topK", "many")));
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.DEFAULT.with(Map.of("stop", List.of(""))));
    }

    @Test
    void overridesAcceptStringsAndBothNamings() {
        GenerationConfig c = GenerationConfig.DEFAULT.with(Map.of("max_new_tokens", "12", "do_sample", "true", "top_k", 5, "stop", "\n\n", "eos_token_id", List.of(1, 2)));
        assertEquals(12, c.maxNewTokens());
        assertTrue(c.doSample());
        assertEquals(5, c.topK());
        assertEquals(List.of("\n\n"), c.stop());
        assertTrue(c.isEos(2));
        assertTrue(!c.with(Map.of("ignoreEos", true)).isEos(2));
    }
}
