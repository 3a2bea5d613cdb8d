package ai.djl.gptq.format.checkpoint;

import ai.djl.gptq.format.InvalidConfigException;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One JSON object of a config file (the whole file or a nested section such as {@code quantization_config}),
 * read through getters that check type and range and name the file and the dotted key in every error. A
 * JSON {@code null} reads as absent, the way transformers treats it.
 */
final class ConfigJson {

    /** Config files are a few kilobytes; the bound keeps a forged multi-gigabyte file from exhausting memory. */
    private static final long MAX_FILE_BYTES = 16L << 20;

    private final Path file;
    private final String prefix;
    private final JsonObject object;

    private ConfigJson(Path file, String prefix, JsonObject object) {
        this.file = file;
        this.prefix = prefix;
        this.object = object;
    }

    /** Reads {@code file}, which must hold one JSON object. */
    static ConfigJson read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidConfigException(file, null, "file not found");
        }
        JsonElement root;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new InvalidConfigException(file, null, "is " + size + " bytes, more than a config may be ("
                        + MAX_FILE_BYTES + ")");
            }
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                root = JsonParser.parseReader(reader);
            }
        } catch (IOException e) {
            throw new InvalidConfigException(file, null, "cannot be read: " + e.getMessage(), e);
        } catch (JsonParseException | NumberFormatException | IllegalStateException e) {
            throw new InvalidConfigException(file, null, "is not valid JSON: " + e.getMessage(), e);
        }
        if (!root.isJsonObject()) {
            throw new InvalidConfigException(file, null, "is not a JSON object");
        }
        return new ConfigJson(file, "", root.getAsJsonObject());
    }

    Path file() {
        return file;
    }

    /** The full dotted name of {@code key} inside the file, for messages. */
    String key(String key) {
        return prefix + key;
    }

    /** Whether {@code key} is written in the file at all, even as {@code null}. */
    boolean written(String key) {
        return object.has(key);
    }

    /** Whether {@code key} holds a value other than {@code null}. */
    boolean has(String key) {
        JsonElement e = object.get(key);
        return e != null && !e.isJsonNull();
    }

    /** The nested object {@code key}, or {@code null} when absent. */
    ConfigJson section(String key) {
        JsonElement e = get(key);
        if (e == null) {
            return null;
        }
        if (!e.isJsonObject()) {
            throw invalid(key, "expected an object, found " + e);
        }
        return new ConfigJson(file, key(key) + ".", e.getAsJsonObject());
    }

    /** The members of the nested object {@code key} in file order, or an empty map when absent. */
    Map<String, ConfigJson> sections(String key) {
        ConfigJson parent = section(key);
        Map<String, ConfigJson> out = new LinkedHashMap<>();
        if (parent != null) {
            for (String name : parent.object.keySet()) {
                out.put(name, parent.section(name));
            }
        }
        return out;
    }

    /** An integer in {@code [min, max]}, or {@code fallback} when absent. */
    long longValue(String key, long min, long max, long fallback) {
        JsonElement e = get(key);
        if (e == null) {
            return fallback;
        }
        return integer(key, e, min, max);
    }

    /** A required integer in {@code [min, max]}. */
    long requiredLong(String key, long min, long max) {
        JsonElement e = get(key);
        if (e == null) {
            throw invalid(key, "missing");
        }
        return integer(key, e, min, max);
    }

    /** A finite number greater than zero, or {@code fallback} when absent. */
    double positiveDouble(String key, double fallback) {
        JsonElement e = get(key);
        if (e == null) {
            return fallback;
        }
        double v = number(key, e).doubleValue();
        if (!(v > 0) || Double.isInfinite(v)) {
            throw invalid(key, "expected a finite number greater than 0, found " + e);
        }
        return v;
    }

    boolean bool(String key, boolean fallback) {
        JsonElement e = get(key);
        if (e == null) {
            return fallback;
        }
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean()) {
            return e.getAsBoolean();
        }
        throw invalid(key, "expected true or false, found " + e);
    }

    /** A string, or {@code fallback} when absent. */
    String string(String key, String fallback) {
        JsonElement e = get(key);
        if (e == null) {
            return fallback;
        }
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            return e.getAsString();
        }
        throw invalid(key, "expected a string, found " + e);
    }

    /** Either one integer or a list of integers, each in {@code [min, max]}; empty when absent. */
    long[] longOrList(String key, long min, long max) {
        JsonElement e = get(key);
        if (e == null) {
            return new long[0];
        }
        if (!e.isJsonArray()) {
            return new long[] {integer(key, e, min, max)};
        }
        JsonArray array = e.getAsJsonArray();
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = integer(key + "[" + i + "]", array.get(i), min, max);
        }
        return out;
    }

    /** A list of strings, or {@code null} when absent (absent and empty mean different things to some keys). */
    List<String> stringList(String key) {
        JsonElement e = get(key);
        if (e == null) {
            return null;
        }
        if (!e.isJsonArray()) {
            throw invalid(key, "expected a list of strings, found " + e);
        }
        List<String> out = new ArrayList<>();
        JsonArray array = e.getAsJsonArray();
        for (int i = 0; i < array.size(); i++) {
            JsonElement item = array.get(i);
            if (!item.isJsonPrimitive() || !item.getAsJsonPrimitive().isString()) {
                throw invalid(key + "[" + i + "]", "expected a string, found " + item);
            }
            out.add(item.getAsString());
        }
        return out;
    }

    InvalidConfigException invalid(String key, String problem) {
        return new InvalidConfigException(file, key(key), problem);
    }

    private JsonElement get(String key) {
        JsonElement e = object.get(key);
        return e == null || e.isJsonNull() ? null : e;
    }

    private long integer(String key, JsonElement e, long min, long max) {
        BigDecimal v = number(key, e);
        // Range first: comparing is cheap for any exponent, while exactness tests on 1e999999 are not.
        if (v.compareTo(BigDecimal.valueOf(min)) < 0 || v.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw invalid(key, "value " + e + " is outside the supported range " + min + ".." + max);
        }
        if (v.signum() != 0 && v.stripTrailingZeros().scale() > 0) {
            throw invalid(key, "expected an integer, found " + e);
        }
        return v.longValueExact();
    }

    private BigDecimal number(String key, JsonElement e) {
        if (e.isJsonPrimitive()) {
            JsonPrimitive p = e.getAsJsonPrimitive();
            if (p.isNumber()) {
                try {
                    return p.getAsBigDecimal();
                } catch (NumberFormatException ex) {
                    throw invalid(key, "number " + e + " cannot be represented: " + ex.getMessage());
                }
            }
        }
        throw invalid(key, "expected a number, found " + e);
    }
}
