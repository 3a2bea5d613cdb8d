package ai.djl.gptq.tests.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.gptq.bridge.PyTorchBridge;
import ai.djl.gptq.format.checkpoint.CheckpointFolder;
import ai.djl.gptq.format.checkpoint.QuantMethod;
import ai.djl.gptq.format.safetensors.DType;
import ai.djl.gptq.model.ActivationPrecision;
import ai.djl.gptq.model.CausalLanguageModel;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Unquantized checkpoints (fp32, fp16, bf16 tensors) on both engines, made by dequantizing a LLaMA fixture
 * (separate {@code lm_head}) and a Qwen2 fixture (tied embeddings, q/k/v biases).
 */
class DenseCheckpointTest {

    @TempDir
    Path temp;

    static Stream<Arguments> cases() {
        return Stream.of(Fixture.LLAMA_GPTQ_INT4, Fixture.QWEN2_GPTQ_INT4)
                .flatMap(f -> Stream.of(DType.F32, DType.F16, DType.BF16).map(d -> Arguments.of(f, d)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void denseCheckpointRunsOnBothEngines(Fixture fixture, DType dtype) {
        Path dir = DerivedCheckpoint.dense(fixture, dtype, temp.resolve(fixture + "-" + dtype));
        assertTrue(CheckpointFolder.open(dir).quantization().method() == QuantMethod.NONE);
        Reference ref = fixture.reference(0);
        try (CausalLanguageModel gptq = CausalLanguageModel.load(dir, ActivationPrecision.FP32);
                Model model = PyTorchBridge.load(dir, ActivationPrecision.FP32)) {
            float[] logits = gptq.logits(ref.inputIds());
            double engines = RelativeL2.of(logits, PyTorchBridge.languageModel(model).logits(ref.inputIds()));
            double reference = RelativeL2.of(logits, ref.logits());
            System.out.printf("dense %s %s fp32: GPTQ vs PyTorch %.3g, vs transformers %.3g%n", fixture, dtype, engines,
                    reference);
            assertTrue(engines <= 1e-4, "GPTQ vs PyTorch relative L2 " + engines);
            if (dtype == DType.F32) {
                // The dequantized weights are exact in fp32: this is the reference's own model.
                assertTrue(reference <= Tolerance.logits(ActivationPrecision.FP32), "vs reference " + reference);
            }
        }
        if (dtype == DType.F16) {
            // The torch_dtype=float16 case: fp16 weights and fp16 activations, as transformers runs it in fp16.
            try (CausalLanguageModel gptq = CausalLanguageModel.load(dir, ActivationPrecision.FP16)) {
                double error = RelativeL2.of(gptq.logits(ref.inputIds()), ref.logits());
                System.out.printf("dense %s F16 fp16: vs transformers %.3g%n", fixture, error);
                assertTrue(error <= Tolerance.logits(ActivationPrecision.FP16), "vs reference " + error);
            }
        }
    }
}
