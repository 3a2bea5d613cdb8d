package ai.djl.gptq.format.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.gptq.format.CheckpointException;
import ai.djl.gptq.format.InvalidConfigException;
import ai.djl.gptq.format.UnsupportedCheckpointException;
import ai.djl.gptq.format.safetensors.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigTest {

    /** A transformers 4.x LLaMA config; {@code %s} takes extra members. */
    private static final String LLAMA = """
            {
              "architectures": ["LlamaForCausalLM"],
              "model_type": "llama",
              "hidden_size": 512,
              "intermediate_size": 1376,
              "num_hidden_layers": 4,
              "num_attention_heads": 8,
              "vocab_size": 1000,
              "rms_norm_eps": 1e-05,
              "torch_dtype": "bfloat16",
              "bos_token_id": 1,
              "eos_token_id": 2
              %s
            }
            """;

    @TempDir
    Path dir;

    private Path write(String json) throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, json);
        return file;
    }

    private ModelConfig llama(String extra) throws IOException {
        return ModelConfig.read(write(LLAMA.formatted(extra)));
    }

    private <T extends CheckpointException> T refused(Class<T> type, String json, String key) throws IOException {
        Path file = write(json);
        T e = assertThrows(type, () -> ModelConfig.read(file));
        assertEquals(file, e.file());
        assertEquals(key, e.item());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("'" + key + "'"), e.getMessage());
        return e;
    }

    @Test
    void readsTransformers4StyleWithLlamaDefaults() throws IOException {
        ModelConfig c = llama(", \"rope_theta\": 500000.0, \"rope_scaling\": null");
        assertEquals("LlamaForCausalLM", c.architecture());
        assertEquals("llama", c.modelType());
        assertEquals(512, c.hiddenSize());
        assertEquals(1376, c.intermediateSize());
        assertEquals(4, c.numLayers());
        assertEquals(8, c.numHeads());
        assertEquals(8, c.numKvHeads(), "num_key_value_heads defaults to the head count");
        assertEquals(64, c.headDim(), "head_dim defaults to hidden / heads");
        assertEquals(1000, c.vocabSize());
        assertEquals(2048, c.maxPositionEmbeddings());
        assertEquals(1e-5, c.rmsNormEps());
        assertEquals(500000.0, c.ropeTheta());
        assertNull(c.ropeScaling());
        assertFalse(c.tieWordEmbeddings());
        assertFalse(c.attentionBias());
        assertEquals(0, c.slidingWindow());
        assertEquals(DType.BF16, c.dtype());
        assertEquals("silu", c.hiddenAct());
        assertEquals(1, c.bosTokenId());
        assertArrayEquals(new int[] {2}, c.eosTokenIds());
        assertEquals(dir.resolve("config.json"), c.file());
    }

    @Test
    void readsTransformers5StyleQwen2() throws IOException {
        ModelConfig c = ModelConfig.read(write("""
                {
                  "architectures": ["Qwen2ForCausalLM"],
                  "model_type": "qwen2",
                  "dtype": "float16",
                  "hidden_size": 384,
                  "intermediate_size": 1024,
                  "num_hidden_layers": 2,
                  "num_attention_heads": 6,
                  "num_key_value_heads": 2,
                  "vocab_size": 4096,
                  "max_position_embeddings": 1024,
                  "layer_types": ["full_attention", "full_attention"],
                  "rope_parameters": {"rope_theta": 1000000.0, "rope_type": "default"},
                  "sliding_window": null,
                  "use_sliding_window": false,
                  "tie_word_embeddings": true,
                  "bos_token_id": null,
                  "eos_token_id": [7, 9]
                }
                """));
        assertEquals("Qwen2ForCausalLM", c.architecture());
        assertEquals(DType.F16, c.dtype());
        assertEquals(1e6, c.ropeTheta());
        assertNull(c.ropeScaling());
        assertEquals(2, c.numKvHeads());
        assertEquals(64, c.headDim());
        assertEquals(1e-6, c.rmsNormEps(), "Qwen2Config's default");
        assertTrue(c.attentionBias(), "Qwen2 has q/k/v biases without an attention_bias key");
        assertTrue(c.tieWordEmbeddings());
        assertEquals(0, c.slidingWindow());
        assertEquals(-1, c.bosTokenId());
        assertArrayEquals(new int[] {7, 9}, c.eosTokenIds());
        assertTrue(c.isEos(9));
        assertFalse(c.isEos(8));
    }

    @Test
    void readsRopeScalingInBothStyles() throws IOException {
        RopeScaling v4 = llama(", \"max_position_embeddings\": 131072, \"rope_scaling\": {\"rope_type\": \"llama3\","
                + " \"factor\": 8.0, \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0,"
                + " \"original_max_position_embeddings\": 8192}").ropeScaling();
        assertEquals(new RopeScaling("llama3", 8.0, 1.0, 4.0, 8192), v4);

        ModelConfig c = llama(", \"max_position_embeddings\": 4096,"
                + " \"rope_parameters\": {\"rope_theta\": 20000.0, \"rope_type\": \"linear\", \"factor\": 2.0}");
        assertEquals(20000.0, c.ropeTheta());
        assertEquals(new RopeScaling("linear", 2.0, 1.0, 4.0, 4096), c.ropeScaling());

        RopeScaling legacyKey = llama(", \"rope_scaling\": {\"type\": \"dynamic\", \"factor\": 3.0}").ropeScaling();
        assertEquals("dynamic", legacyKey.type());
        assertEquals(3.0, legacyKey.factor());
    }

    @Test
    void explicitHeadDimNeedNotDivideHidden() throws IOException {
        ModelConfig c = ModelConfig.read(write(LLAMA.replace("\"hidden_size\": 512", "\"hidden_size\": 500")
                .formatted(", \"head_dim\": 128, \"num_key_value_heads\": 2")));
        assertEquals(500, c.hiddenSize());
        assertEquals(128, c.headDim());
        assertEquals(2, c.numKvHeads());
    }

    @Test
    void mistralSlidesOnEveryLayer() throws IOException {
        String mistral = LLAMA.replace("LlamaForCausalLM", "MistralForCausalLM").replace("\"llama\"", "\"mistral\"");
        ModelConfig absent = ModelConfig.read(write(mistral.formatted("")));
        assertEquals(4096, absent.slidingWindow(), "MistralConfig's default window");
        assertEquals(8, absent.numKvHeads(), "MistralConfig's default kv heads");
        assertEquals(131072, absent.maxPositionEmbeddings());
        assertEquals(0, ModelConfig.read(write(mistral.formatted(", \"sliding_window\": null"))).slidingWindow());
        assertEquals(1024, ModelConfig.read(write(mistral.formatted(", \"sliding_window\": 1024"))).slidingWindow());
    }

    @Test
    void llamaIgnoresSlidingWindowKeys() throws IOException {
        assertEquals(0, llama(", \"sliding_window\": 1024").slidingWindow());
    }

    @Test
    void qwen2SlidingWindowFollowsMaxWindowLayers() throws IOException {
        String qwen = LLAMA.replace("LlamaForCausalLM", "Qwen2ForCausalLM").replace("\"llama\"", "\"qwen2\"");
        assertEquals(0, ModelConfig.read(write(qwen.formatted(", \"use_sliding_window\": true, \"sliding_window\": 256,"
                + " \"max_window_layers\": 4"))).slidingWindow());
        assertEquals(256, ModelConfig.read(write(qwen.formatted(", \"use_sliding_window\": true, \"sliding_window\": 256,"
                + " \"max_window_layers\": 0"))).slidingWindow());
        UnsupportedCheckpointException e = refused(UnsupportedCheckpointException.class,
                qwen.formatted(", \"use_sliding_window\": true, \"sliding_window\": 256, \"max_window_layers\": 2"),
                "max_window_layers");
        assertTrue(e.problem().contains("2 of 4 layers"), e.getMessage());
        refused(UnsupportedCheckpointException.class, qwen.formatted(", \"sliding_window\": 256, \"layer_types\":"
                + " [\"full_attention\", \"sliding_attention\", \"full_attention\", \"full_attention\"]"), "layer_types");
    }

    @Test
    void llamaAttentionBiasKeyIsRead() throws IOException {
        assertTrue(llama(", \"attention_bias\": true").attentionBias());
    }

    @Test
    void architectureFromModelTypeWhenArchitecturesIsAbsent() throws IOException {
        ModelConfig c = ModelConfig.read(write(LLAMA.replace("\"architectures\": [\"LlamaForCausalLM\"],", "")
                .replace("\"llama\"", "\"mistral\"").formatted("")));
        assertEquals("MistralForCausalLM", c.architecture());
    }

    @Test
    void refusesUnsupportedArchitectureNamingTheSupportedOnes() throws IOException {
        UnsupportedCheckpointException e = refused(UnsupportedCheckpointException.class,
                LLAMA.replace("LlamaForCausalLM", "GPT2LMHeadModel").formatted(""), "architectures");
        assertTrue(e.problem().contains("GPT2LMHeadModel"), e.getMessage());
        assertTrue(e.problem().contains("LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM"), e.getMessage());
    }

    @Test
    void refusesAbsurdSizes() throws IOException {
        refused(InvalidConfigException.class, LLAMA.replace("512", "1000000000000").formatted(""), "hidden_size");
        refused(InvalidConfigException.class, LLAMA.replace("\"num_hidden_layers\": 4", "\"num_hidden_layers\": -4")
                .formatted(""), "num_hidden_layers");
        refused(InvalidConfigException.class, LLAMA.replace("\"vocab_size\": 1000", "\"vocab_size\": 2147483648")
                .formatted(""), "vocab_size");
        refused(InvalidConfigException.class, LLAMA.replace("\"num_attention_heads\": 8", "\"num_attention_heads\": 0")
                .formatted(""), "num_attention_heads");
        refused(InvalidConfigException.class, LLAMA.replace("\"vocab_size\": 1000", "\"vocab_size\": 1e999999")
                .formatted(""), "vocab_size");
        refused(InvalidConfigException.class, LLAMA.formatted(", \"max_position_embeddings\": 0"),
                "max_position_embeddings");
    }

    @Test
    void refusesInconsistentHeads() throws IOException {
        InvalidConfigException e = refused(InvalidConfigException.class,
                LLAMA.replace("\"num_attention_heads\": 8", "\"num_attention_heads\": 7").formatted(""), "hidden_size");
        assertTrue(e.problem().contains("not divisible by num_attention_heads 7"), e.getMessage());
        refused(InvalidConfigException.class, LLAMA.formatted(", \"num_key_value_heads\": 3"), "num_key_value_heads");
    }

    @Test
    void refusesMistypedAndMissingValues() throws IOException {
        InvalidConfigException e = refused(InvalidConfigException.class,
                LLAMA.replace("\"hidden_size\": 512", "\"hidden_size\": \"512\"").formatted(""), "hidden_size");
        assertTrue(e.problem().contains("expected a number"), e.getMessage());
        refused(InvalidConfigException.class, LLAMA.replace("\"hidden_size\": 512", "\"hidden_size\": 512.5")
                .formatted(""), "hidden_size");
        e = refused(InvalidConfigException.class, LLAMA.replace("\"intermediate_size\": 1376,", "").formatted(""),
                "intermediate_size");
        assertEquals("missing", e.problem());
        refused(InvalidConfigException.class, LLAMA.replace("1e-05", "-1e-05").formatted(""), "rms_norm_eps");
        refused(InvalidConfigException.class, LLAMA.formatted(", \"rope_theta\": 0"), "rope_theta");
        refused(InvalidConfigException.class, LLAMA.formatted(", \"tie_word_embeddings\": \"yes\""), "tie_word_embeddings");
        refused(InvalidConfigException.class, LLAMA.formatted(", \"rope_scaling\": 2"), "rope_scaling");
        refused(InvalidConfigException.class, LLAMA.formatted(", \"rope_parameters\": {\"rope_theta\": -1}"),
                "rope_parameters.rope_theta");
    }

    @Test
    void refusesTokenIdsOutsideTheVocabulary() throws IOException {
        refused(InvalidConfigException.class, LLAMA.replace("\"bos_token_id\": 1", "\"bos_token_id\": 1000")
                .formatted(""), "bos_token_id");
        refused(InvalidConfigException.class, LLAMA.replace("\"eos_token_id\": 2", "\"eos_token_id\": [2, -1]")
                .formatted(""), "eos_token_id[1]");
    }

    @Test
    void refusesUnsupportedDtypeAndRopeType() throws IOException {
        UnsupportedCheckpointException e = refused(UnsupportedCheckpointException.class,
                LLAMA.replace("bfloat16", "float8_e4m3fn").formatted(""), "torch_dtype");
        assertTrue(e.problem().contains("supported: float16, bfloat16, float32"), e.getMessage());
        e = refused(UnsupportedCheckpointException.class,
                LLAMA.formatted(", \"rope_scaling\": {\"rope_type\": \"spiral\", \"factor\": 2.0}"), "rope_scaling.rope_type");
        assertTrue(e.problem().contains("llama3"), e.getMessage());
    }

    @Test
    void refusesFilesThatAreNotConfigs() throws IOException {
        Path missing = dir.resolve("config.json");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ModelConfig.read(missing));
        assertEquals(missing, e.file());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());

        Path notJson = write("{\"hidden_size\": 512,");
        e = assertThrows(InvalidConfigException.class, () -> ModelConfig.read(notJson));
        assertTrue(e.problem().startsWith("is not valid JSON"), e.getMessage());

        Path array = write("[1, 2]");
        e = assertThrows(InvalidConfigException.class, () -> ModelConfig.read(array));
        assertEquals("is not a JSON object", e.problem());
    }
}
