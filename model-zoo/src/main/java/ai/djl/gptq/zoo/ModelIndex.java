package ai.djl.gptq.zoo;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The zoo's index of known GPTQ and AWQ checkpoints, shipped as the resource {@code ai/djl/gptq/zoo/models.json}:
 * a JSON array of {@link IndexEntry} objects.
 */
public final class ModelIndex {

    /** The resource holding the index, relative to this class. */
    public static final String RESOURCE = "models.json";

    private static final ModelIndex BUILT_IN = load();

    private final List<IndexEntry> entries;

    private ModelIndex(List<IndexEntry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** The index shipped with the zoo. */
    public static ModelIndex builtIn() {
        return BUILT_IN;
    }

    /** All entries, in index order. */
    public List<IndexEntry> entries() {
        return entries;
    }

    /**
     * The entry of a hub repository, matched as the hub matches names (case-insensitively).
     *
     * @param id {@code owner/name}
     * @return the entry, if the index has it
     */
    public Optional<IndexEntry> find(String id) {
        return entries.stream().filter(e -> e.id().equalsIgnoreCase(id)).findFirst();
    }

    private static ModelIndex load() {
        try (InputStream is = ModelIndex.class.getResourceAsStream(RESOURCE)) {
            if (is == null) {
                throw new IllegalStateException("the model-zoo jar lacks its index " + RESOURCE);
            }
            try (Reader reader = new InputStreamReader(is, StandardCharsets.UTF_8)) {
                IndexEntry[] parsed = new Gson().fromJson(reader, IndexEntry[].class);
                List<IndexEntry> entries = new ArrayList<>();
                Set<String> ids = new HashSet<>();
                for (IndexEntry entry : parsed) {
                    check(entry, ids);
                    entries.add(entry);
                }
                return new ModelIndex(entries);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the zoo index " + RESOURCE, e);
        } catch (JsonParseException e) {
            throw new IllegalStateException("malformed zoo index " + RESOURCE, e);
        }
    }

    private static void check(IndexEntry entry, Set<String> ids) {
        if (entry.id() == null || entry.revision() == null || entry.architecture() == null
                || entry.method() == null || entry.bits() <= 0 || entry.parameters() <= 0
                || entry.approxBytes() <= 0) {
            throw new IllegalStateException("incomplete entry in the zoo index " + RESOURCE + ": " + entry);
        }
        if (!ids.add(entry.id().toLowerCase(Locale.ROOT))) {
            throw new IllegalStateException("duplicate entry in the zoo index " + RESOURCE + ": " + entry.id());
        }
    }
}
