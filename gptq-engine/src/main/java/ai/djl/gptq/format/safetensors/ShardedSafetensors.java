package ai.djl.gptq.format.safetensors;

import ai.djl.gptq.format.InconsistentWeightsException;
import ai.djl.gptq.format.InvalidConfigException;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
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
        Path folder = indexJson.toAbsolutePath().normalize().getParent();
        Path realFolder;
        try {
            realFolder = folder.toRealPath();
        } catch (IOException e) {
            throw new InvalidConfigException(indexJson, null, "cannot resolve its folder: " + e.getMessage(), e);
        }
        // Keyed by real path: two spellings of one file ("a", "./a", a link to "a") are one shard, not two
        // shards that hold the same tensors.
        Map<String, Path> realByName = new HashMap<>();
        Map<Path, SafetensorsFile> opened = new LinkedHashMap<>();
        Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                String shardName = e.getValue();
                Path real = realByName.get(shardName);
                if (real == null) {
                    Path shardPath = resolveShard(indexJson, folder, realFolder, shardName);
                    real = realPath(indexJson, shardName, shardPath);
                    realByName.put(shardName, real);
                    if (!opened.containsKey(real)) {
                        opened.put(real, SafetensorsFile.open(shardPath));
                    }
                }
                SafetensorsFile shard = opened.get(real);
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
        String text;
        try {
            long size = Files.size(indexJson);
            if (size > SafetensorsHeader.MAX_HEADER_BYTES) {
                throw new InvalidConfigException(indexJson, null, "is " + size + " bytes, more than the limit of "
                        + SafetensorsHeader.MAX_HEADER_BYTES);
            }
            text = Files.readString(indexJson, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InvalidConfigException(indexJson, null, "file not found", e);
        } catch (IOException e) {
            throw new InvalidConfigException(indexJson, null, "cannot read: " + e, e);
        }
        Map<String, String> out = null;
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            reader.setStrictness(Strictness.STRICT);
            if (reader.peek() != JsonToken.BEGIN_OBJECT) {
                throw new InvalidConfigException(indexJson, null, "not a JSON object");
            }
            reader.beginObject();
            while (reader.hasNext()) {
                if (!reader.nextName().equals("weight_map")) {
                    reader.skipValue();
                } else if (out == null) {
                    out = readShardNames(indexJson, reader);
                } else {
                    throw new InvalidConfigException(indexJson, "weight_map", "appears twice");
                }
            }
            reader.endObject();
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new InvalidConfigException(indexJson, null, "not valid JSON: data after the top-level object");
            }
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw new InvalidConfigException(indexJson, null, "not valid JSON: " + SafetensorsHeader.jsonSyntaxProblem(e), e);
        }
        if (out == null) {
            throw new InvalidConfigException(indexJson, "weight_map", "missing");
        }
        if (out.isEmpty()) {
            throw new InvalidConfigException(indexJson, "weight_map", "is empty");
        }
        return out;
    }

    /** Reads {@code weight_map} itself, refusing a tensor listed twice (a JSON object model would keep only one). */
    private static Map<String, String> readShardNames(Path indexJson, JsonReader reader) throws IOException {
        if (reader.peek() != JsonToken.BEGIN_OBJECT) {
            throw new InvalidConfigException(indexJson, "weight_map", "not an object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        reader.beginObject();
        while (reader.hasNext()) {
            String tensor = reader.nextName();
            if (reader.peek() != JsonToken.STRING) {
                throw new InvalidConfigException(indexJson, tensor, "shard name in weight_map is not a string");
            }
            if (out.put(tensor, reader.nextString()) != null) {
                throw new InvalidConfigException(indexJson, tensor, "listed twice in weight_map");
            }
        }
        reader.endObject();
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
        if (!realPath(indexJson, shardName, shard).startsWith(realFolder)) {
            throw new InvalidConfigException(indexJson, shardName, "shard is a link to a file outside the model folder");
        }
        return shard;
    }

    private static Path realPath(Path indexJson, String shardName, Path shard) {
        try {
            return shard.toRealPath();
        } catch (IOException e) {
            throw new InvalidConfigException(indexJson, shardName, "cannot resolve: " + e.getMessage(), e);
        }
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
