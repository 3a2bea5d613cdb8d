package ai.djl.gptq.tests.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.gptq.model.ActivationPrecision;
import ai.djl.gptq.model.CausalLanguageModel;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The fused GPTQ-engine decoder against transformers' outputs on every fixture, in both activation precisions. */
class FusedReferenceTest {

    static Stream<Arguments> cases() {
        return Arrays.stream(Fixture.values())
                .flatMap(f -> Arrays.stream(ActivationPrecision.values()).map(p -> Arguments.of(f, p)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void promptLogitsAndGreedyTokensMatchTransformers(Fixture fixture, ActivationPrecision precision) {
        try (CausalLanguageModel model = CausalLanguageModel.load(fixture.folder(), precision)) {
            for (int prompt = 0; prompt < 2; prompt++) {
                Reference ref = fixture.reference(prompt);
                double error = RelativeL2.of(model.logits(ref.inputIds()), ref.logits());
                System.out.printf("%s %s p%d: logits relative L2 %.3g%n", fixture, precision, prompt, error);
                assertTrue(error <= Tolerance.logits(precision),
                        fixture + " " + precision + " p" + prompt + ": relative L2 " + error);

                // Tokens after the first small-margin step are not compared, so they are not generated either.
                int steps = ref.stepsToMatch(Tolerance.margin(precision));
                if (steps > 0) {
                    assertArrayEquals(Arrays.copyOf(ref.generatedIds(), steps), model.generateGreedy(ref.inputIds(), steps),
                            fixture + " " + precision + " p" + prompt + ": first " + steps + " greedy tokens");
                }
            }
        }
    }
}
