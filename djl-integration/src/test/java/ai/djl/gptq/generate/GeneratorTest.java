package ai.djl.gptq.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class GeneratorTest {

    /** Tokens are letters a..z (ids 0..25); the model always predicts the letter after the last one; 26 = eos. */
    private static final class AlphabetModel implements CausalLm {
        int sessionsOpen;
        int lastContext;

        @Override
        public int vocabSize() {
            return 27;
        }

        @Override
        public int maxContext() {
            return 40;
        }

        @Override
        public Session newSession(int contextLength) {
            sessionsOpen++;
            lastContext = contextLength;
            return new Session() {
                int position;

                @Override
                public float[] forward(int[] tokens) {
                    position += tokens.length;
                    assertTrue(position <= contextLength, "cache overflow");
                    float[] logits = new float[27];
                    logits[tokens[tokens.length - 1] + 1] = 1f;
                    return logits;
                }

                @Override
                public int position() {
                    return position;
                }

                @Override
                public void close() {
                    sessionsOpen--;
                }
            };
        }
    }

    private static final Function<long[], String> LETTERS = ids -> {
        StringBuilder sb = new StringBuilder();
        for (long id : ids) {
            sb.append(id == 26 ? "" : String.valueOf((char) ('a' + id)));
        }
        return sb.toString();
    };

    @Test
    void greedyRunsToTheTokenBudgetAndClosesTheSession() {
        AlphabetModel model = new AlphabetModel();
        Generator.Result r = new Generator(model, LETTERS).generate(new int[] {0, 1}, GenerationConfig.DEFAULT.with(Map.of("maxNewTokens", 4)));
        assertArrayEquals(new int[] {2, 3, 4, 5}, r.generatedIds());
        assertEquals("cdef", r.text());
        assertEquals(Generation.FinishReason.LENGTH, r.finishReason());
        assertEquals(0, model.sessionsOpen);
        assertEquals(6, model.lastContext);
    }

    @Test
    void stopsAtEosWithoutEmittingIt() {
        Generator.Result r = new Generator(new AlphabetModel(), LETTERS)
                .generate(new int[] {23}, GenerationConfig.DEFAULT.with(Map.of("eosTokenId", 26)));
        assertEquals("yz", r.text());
        assertEquals(Generation.FinishReason.EOS, r.finishReason());
    }

    @Test
    void stopStringCutsTextAndStreamNeverShowsItsBeginning() {
        List<String> pieces = new ArrayList<>();
        Generator.Result r = new Generator(new AlphabetModel(), LETTERS)
                .generate(new int[] {0}, GenerationConfig.DEFAULT.with(Map.of("stop", List.of("efg"))), pieces::add);
        assertEquals("bcd", r.text());
        assertEquals(Generation.FinishReason.STOP, r.finishReason());
        assertEquals("bcd", String.join("", pieces));
        assertTrue(pieces.stream().noneMatch(p -> p.contains("e")), pieces.toString());
    }

    @Test
    void contextLimitsTheBudget() {
        AlphabetModel model = new AlphabetModel();
        Generator.Result r = new Generator(model, LETTERS).generate(new int[38], GenerationConfig.DEFAULT.with(Map.of("maxNewTokens", 100)));
        assertEquals(2, r.generatedIds().length);
        assertEquals(40, model.lastContext);
    }

    @Test
    void badPromptsAreRefusedClearly() {
        Generator g = new Generator(new AlphabetModel(), LETTERS);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> g.generate(new int[0], GenerationConfig.DEFAULT))
                .getMessage().contains("empty"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> g.generate(new int[] {27}, GenerationConfig.DEFAULT))
                .getMessage().contains("outside the vocabulary"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> g.generate(new int[40], GenerationConfig.DEFAULT))
                .getMessage().contains("context"));
    }

    @Test
    void streamingIteratorYieldsPiecesAndFreesTheCacheWhenAbandoned() {
        AlphabetModel model = new AlphabetModel();
        Generator g = new Generator(model, LETTERS);
        try (Generation generation = g.start(new int[] {0}, GenerationConfig.DEFAULT.with(Map.of("maxNewTokens", 10)))) {
            assertEquals("b", generation.next());
            assertEquals("c", generation.next());
            assertEquals(1, model.sessionsOpen);
        }
        assertEquals(0, model.sessionsOpen);
        Generation all = g.start(new int[] {0}, GenerationConfig.DEFAULT.with(Map.of("maxNewTokens", 3)));
        List<String> pieces = new ArrayList<>();
        all.forEachRemaining(pieces::add);
        assertEquals(List.of("b", "c", "d"), pieces);
        assertEquals(Generation.FinishReason.LENGTH, all.finishReason());
        assertEquals(0, model.sessionsOpen);
    }
}
