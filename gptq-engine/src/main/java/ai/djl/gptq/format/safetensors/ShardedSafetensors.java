package ai.djl.gptq.format.safetensors;

import ai.djl.gptq.format.InconsistentWeightsException;
import ai.djl.gptq.format.InvalidConfigException;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A checkpoint split over several safetensors files, described by {@code model.safetensors.index.json}
 * ({@code weight_map}: tensor name to shard file name). Every shard must lie inside the index's folder (no
 * absolute names, no {@code ..}, no symlink leading out), exist, and hold exactly the tensors the index gives it.
 */
public final class ShardedSafetensors implements TensorSource {

    private final Path index;
    private final List<SafetensorsFile> shards;
    private final Map<String, SafetensorsFile> byTensor;

    private ShardedSafetensors(Path index, List<SafetensorsFile> shards, Map<String, SafetensorsFile> byTensor) {
        this.index = index;
        this.shards = shards;
        this.byTensor = Collections.unmodifiableMap(byTensor);
    }

    /**
     * Opens every shard named by {@code indexJson} and checks the index against them.
     *
     * @throws InvalidConfigException when the index is malformed or names a shard outside the folder or missing
     * @throws InconsistentWeightsException when the shards do not hold what the index says
     */
    public static ShardedSafetensors open(Path indexJson) {
        Map<String, String> weightMap = readWeightMap(indexJson);
        Path folder = indexJson.toAbsolutePath().getParent();
        Path realFolder;
        try {
            realFolder = folder.toRealPath();
        } catch (IOException e) {
            throw new InvalidConfigException(indexJson, null, "cannot resolve its folder: " + e.getMessage(), e);
        }
        Map<String, SafetensorsFile> opened = new LinkedHashMap<>();
        Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                String shardName = e.getValue();
                SafetensorsFile shard = opened.get(shardName);
                if (shard == null) {
                    shard = SafetensorsFile.open(resolveShard(indexJson, folder, realFolder, shardName));
                    opened.put(shardName, shard);
                }
                if (!shard.contains(e.getKey())) {
                    throw new InconsistentWeightsException(shard.path(), e.getKey(), "listed in " + indexJson.getFileName() + " but absent from this shard");
                }
                byTensor.put(e.getKey(), shard);
            }
            for (SafetensorsFile shard : opened.values()) {
                for (String name : shard.names()) {
                    SafetensorsFile owner = byTensor.get(name);
                    if (owner == null) {
                        throw new InconsistentWeightsException(shard.path(), name, "present in this shard but not listed in " + indexJson.getFileName());
                    }
                    if (owner != shard) {
                        throw new InconsistentWeightsException(shard.path(), name, "present in two shards (also " + owner.path().getFileName() + ")");
                    }
                }
            }
            return new ShardedSafetensors(indexJson, List.copyOf(opened.values()), byTensor);
        } catch (RuntimeException e) {
            opened.values().forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static Map<String, String> readWeightMap(Path indexJson) {
        JsonElement root;
        try {
            root = JsonParser.parseString(Files.readString(indexJson, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new InvalidConfigException(indexJson, null, "cannot read: " + e, e);
        } catch (JsonParseException e) {
            throw new InvalidConfigException(indexJson, null, "not valid JSON: " + e.getMessage(), e);
        }
        if (!root.isJsonObject() || !root.getAsJsonObject().has("weight_map") || !root.getAsJsonObject().get("weight_map").isJsonObject()) {
            throw new InvalidConfigException(indexJson, "weight_map", "missing or not an object");
        }
        JsonObject map = root.getAsJsonObject().getAsJsonObject("weight_map");
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : map.entrySet()) {
            if (!e.getValue().isJsonPrimitive() || !e.getValue().getAsJsonPrimitive().isString()) {
                throw new InvalidConfigException(indexJson, "weight_map." + e.getKey(), "shard name is not a string");
            }
            out.put(e.getKey(), e.getValue().getAsString());
        }
        if (out.isEmpty()) {
            throw new InvalidConfigException(indexJson, "weight_map", "is empty");
        }
        return out;
    }

    private static Path resolveShard(Path indexJson, Path folder, Path realFolder, String shardName) {
        Path shard;
        try {
            Path relative = Path.of(shardName);
            if (relative.isAbsolute() || shardName.isBlank()) {
                throw new InvalidConfigException(indexJson, shardName, "shard names must be relative to the index's folder");
            }
            shard = folder.resolve(relative).normalize();
        } catch (InvalidPathException e) {
            throw new InvalidConfigException(indexJson, shardName, "not a valid file name", e);
        }
        if (!shard.startsWith(folder)) {
            throw new InvalidConfigException(indexJson, shardName, "shard escapes the model folder");
        }
        if (!Files.isRegularFile(shard)) {
            throw new InvalidConfigException(indexJson, shardName, "shard file is missing");
        }
        try {
            if (!shard.toRealPath().startsWith(realFolder)) {
                throw new InvalidConfigException(indexJson, shardName, "shard is a link to a file outside the model folder");
            }
        } catch (IOException e) {
            throw new InvalidConfigException(indexJson, shardName, "cannot resolve: " + e.getMessage(), e);
        }
        return shard;
    }

    /** The shard files, in index order. */
    public List<Path> files() {
        List<Path> out = new ArrayList<>();
        shards.forEach(s -> out.add(s.path()));
        return out;
    }

    @Override
    public Path path() {
        return index;
    }

    @Override
    public Set<String> names() {
        return byTensor.keySet();
    }

    @Override
    public TensorInfo info(String name) {
        SafetensorsFile shard = byTensor.get(name);
        return shard == null ? null : shard.info(name);
    }

    @Override
    public Tensor tensor(String name) {
        SafetensorsFile shard = byTensor.get(name);
        if (shard == null) {
            throw new InconsistentWeightsException(index, name, "no such tensor in any shard");
        }
        return shard.tensor(name);
    }

    @Override
    public long dataBytes() {
        return shards.stream().mapToLong(SafetensorsFile::dataBytes).sum();
    }

    @Override
    public void close() {
        shards.forEach(SafetensorsFile::close);
    }

    @Override
    public String toString() {
        return index + " (" + shards.size() + " shards, " + byTensor.size() + " tensors)";
    }
}
