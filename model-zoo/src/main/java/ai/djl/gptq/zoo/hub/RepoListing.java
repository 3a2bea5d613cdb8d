package ai.djl.gptq.zoo.hub;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the hub's revision API ({@code GET /api/models/{repo}/revision/{revision}?blobs=true}) says about a
 * repository at one revision: the commit it resolves to and the files of that commit.
 *
 * @param commit the commit sha ({@code sha}); it names the snapshot folder in the cache
 * @param files the files by path ({@code siblings})
 */
public record RepoListing(String commit, Map<String, RepoFile> files) {

    private static final Pattern COMMIT = Pattern.compile("[0-9A-Za-z]{7,64}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** Keeps the files in listing order, unmodifiable. */
    public RepoListing {
        files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
    }

    /**
     * Parses the revision API's JSON answer.
     *
     * @param json the response body
     * @param source what answered, for error messages
     * @return the listing
     * @throws HubException if the answer is not a revision listing
     */
    public static RepoListing parse(String json, String source) throws HubException {
        try {
            JsonObject root = JsonParser.parseString(json).getAsJsonObject();
            String commit = string(root, "sha");
            if (commit == null || !COMMIT.matcher(commit).matches()) {
                throw new HubException(
                        HubException.Reason.PROTOCOL, source + " gave no valid commit sha ('sha': " + commit + ")");
            }
            JsonElement siblings = root.get("siblings");
            if (siblings == null || !siblings.isJsonArray()) {
                throw new HubException(HubException.Reason.PROTOCOL, source + " gave no file list ('siblings')");
            }
            Map<String, RepoFile> files = new LinkedHashMap<>();
            for (JsonElement element : (JsonArray) siblings) {
                RepoFile file = file(element.getAsJsonObject());
                if (file != null) {
                    files.put(file.path(), file);
                }
            }
            return new RepoListing(commit, files);
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
            throw new HubException(HubException.Reason.PROTOCOL, source + " gave malformed JSON: " + e.getMessage(), e);
        }
    }

    /** The listed file with this path, if any. */
    public Optional<RepoFile> file(String path) {
        return Optional.ofNullable(files.get(path));
    }

    /** The paths of all listed files. */
    public List<String> paths() {
        return new ArrayList<>(files.keySet());
    }

    private static RepoFile file(JsonObject sibling) {
        String path = string(sibling, "rfilename");
        if (path == null) {
            return null;
        }
        long size = number(sibling, "size");
        String sha256 = null;
        JsonElement lfs = sibling.get("lfs");
        if (lfs != null && lfs.isJsonObject()) {
            JsonObject lfsObject = lfs.getAsJsonObject();
            String sha = string(lfsObject, "sha256");
            if (sha != null && SHA256.matcher(sha).matches()) {
                sha256 = sha;
            }
            if (size < 0) {
                size = number(lfsObject, "size");
            }
        }
        return new RepoFile(path, size, sha256);
    }

    private static String string(JsonObject object, String key) {
        JsonElement value = object.get(key);
        return value != null && value.isJsonPrimitive() ? value.getAsString() : null;
    }

    private static long number(JsonObject object, String key) {
        JsonElement value = object.get(key);
        if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
            return -1;
        }
        long size = value.getAsLong();
        return size >= 0 ? size : -1;
    }
}
