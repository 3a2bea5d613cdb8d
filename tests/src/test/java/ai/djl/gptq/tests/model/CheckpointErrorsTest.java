package ai.djl.gptq.tests.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.gptq.format.InconsistentWeightsException;
import ai.djl.gptq.format.UnsupportedCheckpointException;
import ai.djl.gptq.format.safetensors.DType;
import ai.djl.gptq.model.ActivationPrecision;
import ai.djl.gptq.model.CausalLanguageModel;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints whose tensors do not fit their config fail with the file, the tensor and the problem. */
class CheckpointErrorsTest {

    @TempDir
    Path temp;

    @Test
    void aMissingLayerNamesTheTensor() {
        Path dir = DerivedCheckpoint.edited(Fixture.LLAMA_GPTQ_INT4, temp.resolve("deeper"),
                json -> json.addProperty("num_hidden_layers", 7));
        InconsistentWeightsException e = assertThrows(InconsistentWeightsException.class,
                () -> CausalLanguageModel.load(dir, ActivationPrecision.FP16));
        assertTrue(e.item().startsWith("model.layers.6."), e.getMessage());
        assertEquals(dir.resolve("model.safetensors"), e.file());
    }

    @Test
    void anEmbeddingOfTheWrongShapeNamesBothShapes() {
        Path dir = DerivedCheckpoint.edited(Fixture.QWEN2_GPTQ_INT4, temp.resolve("vocab"),
                json -> json.addProperty("vocab_size", 4000));
        InconsistentWeightsException e = assertThrows(InconsistentWeightsException.class,
                () -> CausalLanguageModel.load(dir, ActivationPrecision.FP16));
        assertEquals("model.embed_tokens.weight", e.item());
        assertTrue(e.problem().contains("[4096, 384]") && e.problem().contains("[4000, 384]"), e.getMessage());
    }

    @Test
    void qwen2WithoutItsQueryBiasIsRefused() {
        String bias = "model.layers.2.self_attn.q_proj.bias";
        Path dir = DerivedCheckpoint.dense(Fixture.QWEN2_GPTQ_INT4, DType.F16, temp.resolve("nobias"),
                name -> !name.equals(bias));
        InconsistentWeightsException e = assertThrows(InconsistentWeightsException.class,
                () -> CausalLanguageModel.load(dir, ActivationPrecision.FP16));
        assertEquals(bias, e.item());
        assertTrue(e.problem().contains("Qwen2ForCausalLM"), e.getMessage());
    }

    @Test
    void anUnsupportedRopeTypeNamesTheConfig() {
        Path dir = DerivedCheckpoint.edited(Fixture.LLAMA_GPTQ_INT4, temp.resolve("yarn"), json -> {
            JsonObject rope = new JsonObject();
            rope.addProperty("rope_type", "yarn");
            rope.addProperty("factor", 4.0);
            rope.addProperty("original_max_position_embeddings", 256);
            json.add("rope_scaling", rope);
        });
        UnsupportedCheckpointException e = assertThrows(UnsupportedCheckpointException.class,
                () -> CausalLanguageModel.load(dir, ActivationPrecision.FP16));
        assertEquals(dir.resolve("config.json"), e.file());
        assertTrue(e.problem().contains("yarn"), e.getMessage());
    }
}
