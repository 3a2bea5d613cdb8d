package ai.djl.gptq.format.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.gptq.format.InvalidConfigException;
import ai.djl.gptq.format.UnsupportedCheckpointException;
import ai.djl.gptq.format.safetensors.DType;
import ai.djl.gptq.format.safetensors.SafetensorsWriter;
import ai.djl.gptq.format.safetensors.TensorSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFolderTest {

    private static final String CONFIG = """
            {
              "architectures": ["LlamaForCausalLM"],
              "hidden_size": 64,
              "intermediate_size": 128,
              "num_hidden_layers": 1,
              "num_attention_heads": 4,
              "vocab_size": 100,
              "torch_dtype": "float16"
              %s
            }
            """;
    private static final String GPTQ = ", \"quantization_config\": {\"quant_method\": \"gptq\", \"bits\": 4}";

    @TempDir
    Path dir;

    private void config(String extra) throws IOException {
        Files.writeString(dir.resolve("config.json"), CONFIG.formatted(extra));
    }

    /** A small valid safetensors file: two quantized layers' qweight and one dense tensor. */
    private static void weights(Path file, String... names) throws IOException {
        SafetensorsWriter writer = new SafetensorsWriter();
        for (String name : names) {
            writer.addInts(name, new long[] {2, 4}, new int[] {1, 2, 3, 4, 5, 6, 7, 8});
        }
        writer.write(file);
    }

    @Test
    void opensASingleFileCheckpoint() throws IOException {
        config(GPTQ);
        Path file = dir.resolve("model.safetensors");
        weights(file, "model.layers.0.self_attn.q_proj.qweight", "model.layers.0.mlp.down_proj.qweight",
                "model.norm.weight");
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
        Files.writeString(dir.resolve("generation_config.json"), "{}");

        CheckpointFolder folder = CheckpointFolder.open(dir);
        assertEquals(dir, folder.dir());
        assertEquals("LlamaForCausalLM", folder.config().architecture());
        assertEquals(QuantMethod.GPTQ, folder.quantization().method());
        assertEquals(List.of(file), folder.weightFiles());
        assertEquals(Files.size(file), folder.bytesOnDisk());
        assertEquals(Optional.of(dir.resolve("tokenizer.json")), folder.tokenizerJson());
        assertEquals(Optional.empty(), folder.tokenizerConfigJson());
        assertEquals(Optional.of(dir.resolve("generation_config.json")), folder.generationConfigJson());
        try (TensorSource source = folder.openWeights()) {
            assertEquals(3, source.names().size());
        }
        String description = CheckpointInspector.describe(folder);
        assertTrue(description.contains("quantized layers: 2\n"), description);
        assertTrue(description.contains("tensors: 3\n"), description);
        assertTrue(description.contains("bytes on disk: " + Files.size(file) + "\n"), description);
    }

    @Test
    void opensAShardedCheckpoint() throws IOException {
        config(GPTQ);
        Path first = dir.resolve("model-00001-of-00002.safetensors");
        Path second = dir.resolve("model-00002-of-00002.safetensors");
        weights(first, "a.qweight");
        weights(second, "b.qweight", "c");
        Files.writeString(dir.resolve("model.safetensors.index.json"), """
                {"metadata": {"total_size": 96},
                 "weight_map": {"a.qweight": "model-00001-of-00002.safetensors",
                                "b.qweight": "model-00002-of-00002.safetensors",
                                "c": "model-00002-of-00002.safetensors"}}
                """);
        CheckpointFolder folder = CheckpointFolder.open(dir);
        assertEquals(Set.of(first, second), Set.copyOf(folder.weightFiles()));
        assertEquals(Files.size(first) + Files.size(second), folder.bytesOnDisk());
        try (TensorSource source = folder.openWeights()) {
            assertEquals(Set.of("a.qweight", "b.qweight", "c"), source.names());
            assertEquals(DType.I32, source.info("c").dtype());
        }
        assertTrue(CheckpointInspector.describe(folder).contains("quantized layers: 2\n"));
    }

    @Test
    void findsLegacyAutoGptqWeights() throws IOException {
        config("");
        Files.writeString(dir.resolve("quantize_config.json"), "{\"bits\": 4, \"group_size\": 128}");
        Path legacy = dir.resolve("gptq_model-4bit-128g.safetensors");
        weights(legacy, "x.qweight");
        CheckpointFolder folder = CheckpointFolder.open(dir);
        assertEquals(List.of(legacy), folder.weightFiles());
        assertEquals(dir.resolve("quantize_config.json"), folder.quantization().source());

        weights(dir.resolve("gptq_model-4bit-32g.safetensors"), "x.qweight");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> CheckpointFolder.open(dir));
        assertEquals(dir, e.file());
        assertTrue(e.problem().contains("several legacy weight files"), e.getMessage());
    }

    @Test
    void followsModelFileBaseName() throws IOException {
        config("");
        Path named = dir.resolve("llama-4bit.safetensors");
        weights(named, "x.qweight");
        weights(dir.resolve("model.safetensors"), "y.qweight");
        Path legacy = dir.resolve("quantize_config.json");
        Files.writeString(legacy, "{\"bits\": 4, \"model_file_base_name\": \"llama-4bit\"}");
        assertEquals(List.of(named), CheckpointFolder.open(dir).weightFiles());

        Files.writeString(legacy, "{\"bits\": 4, \"model_file_base_name\": \"missing\"}");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> CheckpointFolder.open(dir));
        assertEquals(legacy, e.file());
        assertEquals("model_file_base_name", e.item());

        Files.writeString(legacy, "{\"bits\": 4, \"model_file_base_name\": \"../llama-4bit\"}");
        e = assertThrows(InvalidConfigException.class, () -> CheckpointFolder.open(dir));
        assertTrue(e.problem().contains("outside the model folder"), e.getMessage());
    }

    @Test
    void refusesFoldersWithoutConfigOrWeights() throws IOException {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> CheckpointFolder.open(dir));
        assertEquals(dir.resolve("config.json"), e.file());
        assertTrue(e.getMessage().contains(dir.resolve("config.json").toString()), e.getMessage());

        config(GPTQ);
        e = assertThrows(InvalidConfigException.class, () -> CheckpointFolder.open(dir));
        assertEquals(dir, e.file());
        assertTrue(e.problem().contains("model.safetensors"), e.getMessage());

        Path missing = dir.resolve("absent");
        e = assertThrows(InvalidConfigException.class, () -> CheckpointFolder.open(missing));
        assertEquals(missing, e.file());
    }

    @Test
    void refusesUnsupportedQuantizationBeforeLookingForWeights() throws IOException {
        config(", \"quantization_config\": {\"quant_method\": \"awq\", \"bits\": 3}");
        UnsupportedCheckpointException e =
                assertThrows(UnsupportedCheckpointException.class, () -> CheckpointFolder.open(dir));
        assertEquals("quantization_config.bits", e.item());
    }
}
