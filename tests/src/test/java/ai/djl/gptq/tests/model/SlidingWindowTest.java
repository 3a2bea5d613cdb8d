package ai.djl.gptq.tests.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.gptq.bridge.PyTorchBridge;
import ai.djl.gptq.format.checkpoint.CheckpointFolder;
import ai.djl.gptq.model.ActivationPrecision;
import ai.djl.gptq.model.CausalLanguageModel;
import com.google.gson.Gson;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code MistralForCausalLM}: the LLaMA fixture's weights under a Mistral config. With a window wider than the
 * sequence it is the LLaMA model; with a narrow one, position {@code p} sees keys {@code p - window < j <= p}.
 */
class SlidingWindowTest {

    private static final Fixture LLAMA = Fixture.LLAMA_GPTQ_INT4;

    @TempDir
    Path temp;

    private Path mistral(int window) {
        return DerivedCheckpoint.edited(LLAMA, temp.resolve("mistral-" + window), json -> {
            json.add("architectures", new Gson().toJsonTree(new String[] {"MistralForCausalLM"}));
            json.addProperty("model_type", "mistral");
            json.remove("attention_bias");
            json.remove("mlp_bias");
            json.addProperty("sliding_window", window);
        });
    }

    @Test
    void aWindowWiderThanTheSequenceIsLlama() {
        Path dir = mistral(4096);
        assertEquals(4096, CheckpointFolder.open(dir).config().slidingWindow());
        Reference ref = LLAMA.reference(0);
        try (CausalLanguageModel model = CausalLanguageModel.load(dir, ActivationPrecision.FP32)) {
            assertEquals("MistralForCausalLM", model.config().architecture());
            double error = RelativeL2.of(model.logits(ref.inputIds()), ref.logits());
            assertTrue(error <= 1e-4, "relative L2 " + error);
        }
    }

    @Test
    void aNarrowWindowHidesOlderKeysOnBothEngines() {
        int window = 4;
        Reference ref = LLAMA.reference(1);
        int[] sequence = IncrementalDecoding.concat(ref.inputIds(), ref.generatedIds());
        Path dir = mistral(window);
        try (CausalLanguageModel gptq = CausalLanguageModel.load(dir, ActivationPrecision.FP32);
                Model model = PyTorchBridge.load(dir, ActivationPrecision.FP32)) {
            float[] windowed = gptq.logits(sequence);
            float[] full = fullAttention(sequence);
            int vocab = gptq.vocabSize();
            // Positions before the window's width see every key either way.
            double early = RelativeL2.of(Arrays.copyOf(windowed, window * vocab), Arrays.copyOf(full, window * vocab));
            double late = RelativeL2.of(Arrays.copyOfRange(windowed, window * vocab, windowed.length),
                    Arrays.copyOfRange(full, window * vocab, full.length));
            System.out.printf("window %d vs full attention: first %d rows %.3g, later rows %.3g%n", window, window, early,
                    late);
            assertTrue(early <= Tolerance.SUMMATION_ORDER, "rows inside the window differ: " + early);
            assertTrue(late > 1e-2, "rows past the window match full attention: " + late);

            double engines = RelativeL2.of(windowed, PyTorchBridge.languageModel(model).logits(sequence));
            double cached = RelativeL2.of(IncrementalDecoding.logits(gptq, sequence, 2), windowed);
            System.out.printf("window %d: GPTQ vs PyTorch %.3g, incremental vs full %.3g%n", window, engines, cached);
            assertTrue(engines <= 1e-4, "GPTQ vs PyTorch relative L2 " + engines);
            assertTrue(cached <= Tolerance.SUMMATION_ORDER, "incremental vs full relative L2 " + cached);
        }
    }

    private float[] fullAttention(int[] sequence) {
        try (CausalLanguageModel llama = CausalLanguageModel.load(LLAMA.folder(), ActivationPrecision.FP32)) {
            return llama.logits(sequence);
        }
    }
}
