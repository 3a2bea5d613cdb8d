package ai.djl.gptq.format.checkpoint;

import ai.djl.gptq.format.InvalidConfigException;
import ai.djl.gptq.format.safetensors.SafetensorsFile;
import ai.djl.gptq.format.safetensors.ShardedSafetensors;
import ai.djl.gptq.format.safetensors.TensorSource;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A Hugging Face model folder: {@code config.json}, the quantization settings, the safetensors weights
 * ({@code model.safetensors}, a sharded {@code model.safetensors.index.json}, or a legacy AutoGPTQ file named
 * by {@code model_file_base_name} or {@code gptq_model-*.safetensors}) and the tokenizer and generation files
 * when present. Opening reads the configs and finds the weights; the weights are mapped only by
 * {@link #openWeights()}.
 */
public final class CheckpointFolder {

    static final String CONFIG = "config.json";
    static final String SINGLE_WEIGHTS = "model.safetensors";
    static final String SHARD_INDEX = "model.safetensors.index.json";
    private static final String SAFETENSORS = ".safetensors";
    private static final String LEGACY_GLOB = "gptq_model-*" + SAFETENSORS;

    private final Path dir;
    private final ModelConfig config;
    private final QuantizationConfig quantization;
    private final List<Path> weightFiles;
    private final Path shardIndex;
    private final long bytesOnDisk;

    private CheckpointFolder(
            Path dir, ModelConfig config, QuantizationConfig quantization, List<Path> weightFiles, Path shardIndex) {
        this.dir = dir;
        this.config = config;
        this.quantization = quantization;
        this.weightFiles = List.copyOf(weightFiles);
        this.shardIndex = shardIndex;
        long bytes = 0;
        for (Path file : weightFiles) {
            try {
                bytes += Files.size(file);
            } catch (IOException e) {
                throw new InvalidConfigException(file, null, "cannot be read: " + e.getMessage(), e);
            }
        }
        this.bytesOnDisk = bytes;
    }

    /**
     * Reads the configs of the model folder {@code dir} and finds its weights.
     *
     * @throws InvalidConfigException when the folder, {@code config.json} or the weights are missing or a
     *     config is invalid (the message names the file and key)
     * @throws ai.djl.gptq.format.UnsupportedCheckpointException when the architecture or quantization is not
     *     supported (the message says what is)
     */
    public static CheckpointFolder open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new InvalidConfigException(dir, null, Files.exists(dir) ? "is not a folder" : "folder not found");
        }
        ConfigJson json = ConfigJson.read(dir.resolve(CONFIG));
        ModelConfig config = ModelConfigReader.read(json);
        QuantizationConfig quantization = QuantizationConfigReader.read(json, dir);
        Path index = dir.resolve(SHARD_INDEX);
        String baseName = quantization.modelFileBaseName();
        if (baseName != null) {
            return new CheckpointFolder(dir, config, quantization, List.of(insideFolder(dir, legacyNamed(dir, baseName, quantization))), null);
        }
        Path single = dir.resolve(SINGLE_WEIGHTS);
        if (Files.isRegularFile(single)) {
            return new CheckpointFolder(dir, config, quantization, List.of(insideFolder(dir, single)), null);
        }
        if (Files.isRegularFile(index)) {
            List<Path> shards;
            try (ShardedSafetensors sharded = ShardedSafetensors.open(index)) {
                shards = sharded.files();
            }
            return new CheckpointFolder(dir, config, quantization, shards, index);
        }
        return new CheckpointFolder(dir, config, quantization, List.of(insideFolder(dir, legacyGlob(dir))), null);
    }

    /** {@code file}, refused when it is a link to a file outside {@code dir}, as a shard would be. */
    private static Path insideFolder(Path dir, Path file) {
        try {
            if (!file.toRealPath().startsWith(dir.toRealPath())) {
                throw new InvalidConfigException(file, null, "is a link to a file outside the model folder");
            }
        } catch (IOException e) {
            throw new InvalidConfigException(file, null, "cannot be resolved: " + e.getMessage(), e);
        }
        return file;
    }

    private static Path legacyNamed(Path dir, String baseName, QuantizationConfig quantization) {
        Path file;
        try {
            file = dir.resolve(baseName + SAFETENSORS).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new InvalidConfigException(quantization.source(), "model_file_base_name", "'" + baseName + "' is not a valid file name", e);
        }
        // The name comes from a downloaded file: it must not reach outside the model folder.
        if (!dir.normalize().equals(file.getParent())) {
            throw new InvalidConfigException(quantization.source(), "model_file_base_name",
                    "'" + baseName + "' names a file outside the model folder");
        }
        if (!Files.isRegularFile(file)) {
            throw new InvalidConfigException(quantization.source(), "model_file_base_name",
                    "names " + file + ", which does not exist");
        }
        return file;
    }

    private static Path legacyGlob(Path dir) {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, LEGACY_GLOB)) {
            for (Path file : files) {
                if (Files.isRegularFile(file)) {
                    found.add(file);
                }
            }
        } catch (IOException e) {
            throw new InvalidConfigException(dir, null, "cannot be listed: " + e.getMessage(), e);
        }
        if (found.isEmpty()) {
            throw new InvalidConfigException(dir, null, "has no weights: expected " + SINGLE_WEIGHTS + ", "
                    + SHARD_INDEX + " or a legacy AutoGPTQ " + LEGACY_GLOB);
        }
        if (found.size() > 1) {
            found.sort(null);
            throw new InvalidConfigException(dir, null, "has several legacy weight files " + found
                    + " and no model_file_base_name to choose one");
        }
        return found.getFirst();
    }

    public Path dir() {
        return dir;
    }

    public ModelConfig config() {
        return config;
    }

    public QuantizationConfig quantization() {
        return quantization;
    }

    /** The safetensors files holding the weights (several for a sharded checkpoint). */
    public List<Path> weightFiles() {
        return weightFiles;
    }

    /** Maps the weights; the caller closes the source, which invalidates every tensor taken from it. */
    public TensorSource openWeights() {
        return shardIndex != null ? ShardedSafetensors.open(shardIndex) : SafetensorsFile.open(weightFiles.getFirst());
    }

    public Optional<Path> tokenizerJson() {
        return optionalFile("tokenizer.json");
    }

    public Optional<Path> tokenizerConfigJson() {
        return optionalFile("tokenizer_config.json");
    }

    public Optional<Path> generationConfigJson() {
        return optionalFile("generation_config.json");
    }

    /** The total size of the weight files. */
    public long bytesOnDisk() {
        return bytesOnDisk;
    }

    private Optional<Path> optionalFile(String name) {
        Path file = dir.resolve(name);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    @Override
    public String toString() {
        return dir + " (" + config.architecture() + ", " + quantization.method() + ")";
    }
}
