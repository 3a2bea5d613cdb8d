package ai.djl.gptq.format.safetensors;

import java.nio.file.Path;

/** Opens whichever tensor source a path names. */
public final class TensorSources {

    private TensorSources() {}

    /** A {@code *.index.json} shard index opens as {@link ShardedSafetensors}, anything else as {@link SafetensorsFile}. */
    public static TensorSource open(Path path) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString();
        return name.endsWith(".index.json") ? ShardedSafetensors.open(path) : SafetensorsFile.open(path);
    }
}
