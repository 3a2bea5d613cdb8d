package ai.djl.gptq.zoo.hub;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** The {@code weight_map} of a sharded checkpoint's index, reduced to the shard files it names. */
final class ShardIndex {

    static final String NAME = "model.safetensors.index.json";

    // an index of a 1T-parameter model is a few MB; anything far larger is not an index
    private static final long MAX_BYTES = 64L << 20;

    private ShardIndex() {}

    /**
     * Reads the shard file names of a downloaded index.
     *
     * @param index the index file
     * @param label the repository and revision, for messages
     * @return the shard names, in first-use order
     * @throws IOException if the file cannot be read or is not an index of top-level safetensors files
     */
    static Set<String> shards(Path index, String label) throws IOException {
        if (Files.size(index) > MAX_BYTES) {
            throw new HubException(
                    HubException.Reason.UNSUPPORTED, label + ": " + NAME + " is larger than " + MAX_BYTES + " bytes");
        }
        Set<String> shards = new LinkedHashSet<>();
        try {
            JsonObject root = JsonParser.parseString(Files.readString(index, StandardCharsets.UTF_8)).getAsJsonObject();
            JsonElement map = root.get("weight_map");
            if (map == null || !map.isJsonObject()) {
                throw new HubException(HubException.Reason.UNSUPPORTED, label + ": " + NAME + " has no weight_map");
            }
            for (Map.Entry<String, JsonElement> entry : map.getAsJsonObject().entrySet()) {
                String shard = entry.getValue().getAsString();
                if (!ModelFiles.isTopLevelSafetensors(shard)) {
                    throw new HubException(
                            HubException.Reason.UNSUPPORTED,
                            label + ": " + NAME + " maps '" + entry.getKey() + "' to '" + shard
                                    + "', not a top-level .safetensors file");
                }
                shards.add(shard);
            }
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
            throw new HubException(HubException.Reason.UNSUPPORTED, label + ": malformed " + NAME, e);
        }
        return shards;
    }
}
