package ai.djl.gptq.tests.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.gptq.bridge.PyTorchBridge;
import ai.djl.gptq.model.ActivationPrecision;
import ai.djl.gptq.model.CausalLanguageModel;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same checkpoints on DJL's PyTorch engine (dequantized, generic NDArray decoder): against transformers,
 * against the GPTQ engine, and with its KV cache.
 */
class PyTorchBridgeTest {

    static Stream<Arguments> cases() {
        return Arrays.stream(Fixture.values())
                .flatMap(f -> Arrays.stream(ActivationPrecision.values()).map(p -> Arguments.of(f, p)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void pyTorchMatchesTransformers(Fixture fixture, ActivationPrecision precision) {
        try (Model model = PyTorchBridge.load(fixture.folder(), precision)) {
            assertEquals("PyTorch", model.getNDManager().getEngine().getEngineName());
            CausalLanguageModel lm = PyTorchBridge.languageModel(model);
            for (int prompt = 0; prompt < 2; prompt++) {
                Reference ref = fixture.reference(prompt);
                double error = RelativeL2.of(lm.logits(ref.inputIds()), ref.logits());
                System.out.printf("PyTorch %s %s p%d: logits relative L2 %.3g%n", fixture, precision, prompt, error);
                assertTrue(error <= Tolerance.logits(precision), fixture + " p" + prompt + ": relative L2 " + error);
                // PyTorch's CPU fp16 kernels take ~0.1 s a token here: in fp16 one prompt's greedy tokens suffice.
                int steps = precision == ActivationPrecision.FP16 && prompt > 0 ? 0 : ref.stepsToMatch(Tolerance.margin(precision));
                if (steps > 0) {
                    assertArrayEquals(Arrays.copyOf(ref.generatedIds(), steps), lm.generateGreedy(ref.inputIds(), steps),
                            fixture + " " + precision + " p" + prompt + ": first " + steps + " greedy tokens");
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Fixture.class)
    void gptqEngineMatchesPyTorchInFp32(Fixture fixture) {
        Reference ref = fixture.reference(1);
        int[] sequence = IncrementalDecoding.concat(ref.inputIds(), ref.generatedIds());
        try (Model model = PyTorchBridge.load(fixture.folder(), ActivationPrecision.FP32);
                CausalLanguageModel gptq = CausalLanguageModel.load(fixture.folder(), ActivationPrecision.FP32)) {
            CausalLanguageModel pyTorch = PyTorchBridge.languageModel(model);
            float[] expected = pyTorch.logits(sequence);
            double error = RelativeL2.of(gptq.logits(sequence), expected);
            System.out.printf("GPTQ vs PyTorch %s: relative L2 %.3g%n", fixture, error);
            assertTrue(error <= 1e-4, fixture + ": GPTQ vs PyTorch relative L2 " + error);

            double cached = RelativeL2.of(IncrementalDecoding.logits(pyTorch, sequence, ref.inputIds().length), expected);
            System.out.printf("PyTorch %s: incremental vs full relative L2 %.3g%n", fixture, cached);
            assertTrue(cached <= Tolerance.SUMMATION_ORDER, fixture + ": PyTorch incremental vs full relative L2 " + cached);
        }
    }
}
