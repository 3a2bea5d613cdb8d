package ai.djl.gptq.tests.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.gptq.model.ActivationPrecision;
import ai.djl.gptq.model.CausalLanguageModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Decoding token by token with the KV cache gives what one forward pass over the whole sequence gives. */
class KvCacheDecodingTest {

    @ParameterizedTest
    @EnumSource(Fixture.class)
    void tokenByTokenEqualsFullForwardPass(Fixture fixture) {
        Reference ref = fixture.reference(1);
        int[] sequence = IncrementalDecoding.concat(ref.inputIds(), ref.generatedIds());
        try (CausalLanguageModel model = CausalLanguageModel.load(fixture.folder(), ActivationPrecision.FP32)) {
            float[] full = model.logits(sequence);
            float[] incremental = IncrementalDecoding.logits(model, sequence, ref.inputIds().length);
            double error = RelativeL2.of(incremental, full);
            System.out.printf("%s: incremental vs full relative L2 %.3g%n", fixture, error);
            assertTrue(error <= Tolerance.SUMMATION_ORDER, fixture + ": relative L2 " + error);
        }
    }

    @Test
    void promptsLongerThanOneChunkAreFedInChunks() {
        Fixture fixture = Fixture.QWEN2_GPTQ_INT4;
        int[] sequence = IncrementalDecoding.cycled(fixture.reference(1).inputIds(), 150);
        for (ActivationPrecision precision : ActivationPrecision.values()) {
            try (CausalLanguageModel model = CausalLanguageModel.load(fixture.folder(), precision)) {
                float[] chunked = model.logits(sequence);
                float[] incremental = IncrementalDecoding.logits(model, sequence, 3);
                double error = RelativeL2.of(incremental, chunked);
                System.out.printf("150 tokens %s: incremental vs chunked relative L2 %.3g%n", precision, error);
                // In fp16 a different summation order may flip a rounding that later layers carry on: the fp16
                // bound applies there.
                double bound = precision == ActivationPrecision.FP32 ? Tolerance.SUMMATION_ORDER : Tolerance.logits(precision);
                assertTrue(error <= bound, precision + ": relative L2 " + error);
            }
        }
    }

    @Test
    void sessionsRefuseWhatTheCacheCannotHold() {
        try (CausalLanguageModel model = CausalLanguageModel.load(Fixture.LLAMA_GPTQ_INT4.folder(), ActivationPrecision.FP16);
                CausalLanguageModel.Session session = model.newSession(4)) {
            session.forward(new int[] {1, 2, 3});
            assertEquals(3, session.position());
            assertThrows(IllegalArgumentException.class, () -> session.forward(new int[] {4, 5}));
            assertThrows(IllegalArgumentException.class, () -> session.forward(new int[] {model.vocabSize()}));
            assertThrows(IllegalArgumentException.class, () -> session.forward(new int[] {-1}));
            assertThrows(IllegalArgumentException.class, () -> session.forward(new int[0]));
            assertEquals(3, session.position());
            session.forward(new int[] {4});
            assertEquals(4, session.position());
            assertThrows(IllegalArgumentException.class, () -> model.newSession(model.maxContext() + 1));
            assertThrows(IllegalArgumentException.class, () -> model.newSession(0));
        }
    }
}
