package ai.djl.gptq.tests.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.gptq.model.ActivationPrecision;
import ai.djl.gptq.model.CausalLmBlock;
import ai.djl.gptq.model.GptqModel;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code Model.load} on the GPTQ engine: a checkpoint folder becomes a block DJL's predictors run. */
class GptqModelTest {

    private static final Fixture FIXTURE = Fixture.LLAMA_AWQ_INT4;

    @ParameterizedTest
    @ValueSource(strings = {"fused", "ndarray"})
    void aPredictorReturnsTheReferenceLogits(String implementation)
            throws IOException, MalformedModelException, TranslateException {
        Reference ref = FIXTURE.reference(0);
        try (Model model = Model.newInstance("llama", "GPTQ")) {
            GptqModel gptq = assertInstanceOf(GptqModel.class, model);
            model.load(FIXTURE.folder(), null,
                    Map.of(ActivationPrecision.OPTION, "fp32", GptqModel.IMPLEMENTATION, implementation));
            assertInstanceOf(CausalLmBlock.class, model.getBlock());
            assertEquals("fp32", model.getProperty(ActivationPrecision.OPTION));
            try (Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator())) {
                long[] ids = Arrays.stream(ref.inputIds()).asLongStream().toArray();
                NDArray input = model.getNDManager().create(ids, new Shape(1, ids.length));
                NDArray logits = predictor.predict(new NDList(input)).singletonOrThrow();
                assertEquals(new Shape(ids.length, 4096), logits.getShape());
                double error = RelativeL2.of(logits.toFloatArray(), ref.logits());
                System.out.printf("GPTQ engine, %s: logits relative L2 %.3g%n", implementation, error);
                assertTrue(error <= Tolerance.logits(ActivationPrecision.FP32), implementation + ": relative L2 " + error);
            }
            int steps = ref.stepsToMatch(Tolerance.margin(ActivationPrecision.FP32));
            assertArrayEquals(Arrays.copyOf(ref.generatedIds(), steps),
                    gptq.languageModel().generateGreedy(ref.inputIds(), steps));
        }
    }
}
