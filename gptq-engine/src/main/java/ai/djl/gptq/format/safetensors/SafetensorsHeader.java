package ai.djl.gptq.format.safetensors;

import ai.djl.gptq.format.MalformedSafetensorsException;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses and validates a safetensors header before any tensor data is touched: UTF-8, one JSON object, each
 * entry a known dtype, non-negative integral dims whose byte size (overflow-checked) equals its offsets, offsets
 * inside the data area and not overlapping, no duplicate names.
 */
final class SafetensorsHeader {

    /** The reference implementation's bound; larger headers are refused before being read. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    final List<TensorInfo> tensors;
    final Map<String, String> metadata;

    private SafetensorsHeader(List<TensorInfo> tensors, Map<String, String> metadata) {
        this.tensors = tensors;
        this.metadata = metadata;
    }

    static SafetensorsHeader parse(Path file, byte[] headerBytes, long dataBytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(headerBytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new MalformedSafetensorsException(file, null, "header is not valid UTF-8");
        }
        List<TensorInfo> tensors = new ArrayList<>();
        Map<String, String> metadata = Map.of();
        Set<String> names = new HashSet<>();
        // The entry being read, so that a syntax error inside it names the tensor.
        String current = null;
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            reader.setStrictness(Strictness.STRICT);
            if (reader.peek() != JsonToken.BEGIN_OBJECT) {
                throw new MalformedSafetensorsException(file, null, "header is not a JSON object");
            }
            reader.beginObject();
            while (reader.hasNext()) {
                String name = reader.nextName();
                if (!names.add(name)) {
                    throw new MalformedSafetensorsException(file, name, "appears twice in the header");
                }
                current = name;
                if (name.equals("__metadata__")) {
                    metadata = readMetadata(file, reader);
                } else {
                    tensors.add(readEntry(file, name, reader, dataBytes));
                }
                current = null;
            }
            reader.endObject();
            // Trailing spaces are the padding the reference writer adds; anything else is garbage.
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new MalformedSafetensorsException(file, null, "header is not valid JSON: data after its object");
            }
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw new MalformedSafetensorsException(file, current, "header is not valid JSON: " + jsonSyntaxProblem(e), e);
        }
        checkOverlaps(file, tensors);
        return new SafetensorsHeader(List.copyOf(tensors), metadata);
    }

    private static Map<String, String> readMetadata(Path file, JsonReader reader) throws IOException {
        if (reader.peek() != JsonToken.BEGIN_OBJECT) {
            throw new MalformedSafetensorsException(file, "__metadata__", "must be an object of strings");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        reader.beginObject();
        while (reader.hasNext()) {
            String key = reader.nextName();
            if (reader.peek() != JsonToken.STRING) {
                throw new MalformedSafetensorsException(file, "__metadata__", "value of '" + key + "' is not a string");
            }
            metadata.put(key, reader.nextString());
        }
        reader.endObject();
        return Map.copyOf(metadata);
    }

    private static TensorInfo readEntry(Path file, String name, JsonReader reader, long dataBytes) throws IOException {
        if (reader.peek() != JsonToken.BEGIN_OBJECT) {
            throw new MalformedSafetensorsException(file, name, "entry is not an object");
        }
        DType dtype = null;
        long[] shape = null;
        long[] offsets = null;
        Set<String> keys = new HashSet<>();
        reader.beginObject();
        while (reader.hasNext()) {
            String key = reader.nextName();
            // The reference parser refuses a repeated field; taking the last one would let two readers disagree.
            if (!keys.add(key)) {
                throw new MalformedSafetensorsException(file, name, "field '" + key + "' appears twice");
            }
            switch (key) {
                case "dtype" -> {
                    if (reader.peek() != JsonToken.STRING) {
                        throw new MalformedSafetensorsException(file, name, "dtype is not a string");
                    }
                    String d = reader.nextString();
                    dtype = DType.fromName(d);
                    if (dtype == null) {
                        throw new MalformedSafetensorsException(file, name, "unknown dtype '" + d + "' (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
                    }
                }
                case "shape" -> shape = readLongs(file, name, "shape", reader);
                case "data_offsets" -> offsets = readLongs(file, name, "data_offsets", reader);
                default -> reader.skipValue();
            }
        }
        reader.endObject();
        if (dtype == null || shape == null || offsets == null) {
            throw new MalformedSafetensorsException(file, name, "entry needs dtype, shape and data_offsets");
        }
        if (offsets.length != 2) {
            throw new MalformedSafetensorsException(file, name, "data_offsets must hold two numbers, has " + offsets.length);
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end) {
            throw new MalformedSafetensorsException(file, name, "data_offsets are reversed: [" + begin + ", " + end + "]");
        }
        if (end > dataBytes) {
            throw new MalformedSafetensorsException(file, name, "data_offsets [" + begin + ", " + end + "] end past the data area of " + dataBytes + " bytes (file truncated?)");
        }
        long bytes;
        try {
            long elements = 1;
            for (long d : shape) {
                elements = Math.multiplyExact(elements, d);
            }
            bytes = Math.multiplyExact(elements, dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new MalformedSafetensorsException(file, name, "shape " + Arrays.toString(shape) + " overflows a 64-bit byte count");
        }
        if (bytes != end - begin) {
            throw new MalformedSafetensorsException(file, name, "shape " + Arrays.toString(shape) + " of " + dtype + " needs " + bytes
                    + " bytes but data_offsets span " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static long[] readLongs(Path file, String name, String key, JsonReader reader) throws IOException {
        if (reader.peek() != JsonToken.BEGIN_ARRAY) {
            throw new MalformedSafetensorsException(file, name, key + " is not an array");
        }
        List<Long> values = new ArrayList<>();
        reader.beginArray();
        while (reader.hasNext()) {
            if (reader.peek() != JsonToken.NUMBER) {
                throw new MalformedSafetensorsException(file, name, key + " holds a non-number");
            }
            String literal = reader.nextString();
            if (literal.startsWith("-")) {
                throw new MalformedSafetensorsException(file, name, key + " holds a negative value " + abbreviate(literal, 40));
            }
            long v = parseUnsigned(literal);
            if (v < 0) {
                throw new MalformedSafetensorsException(file, name, key + " holds " + abbreviate(literal, 40) + ", not a 64-bit integer");
            }
            if (values.size() == 64) {
                throw new MalformedSafetensorsException(file, name, key + " has more than 64 entries");
            }
            values.add(v);
        }
        reader.endArray();
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * The value of a plain decimal literal, or -1 when it has a fraction, an exponent or more than 63 bits. The
     * reference parser reads these fields as unsigned integers, so {@code 1.0} and {@code 1e3} are refused too.
     */
    private static long parseUnsigned(String literal) {
        if (literal.isEmpty()) {
            return -1;
        }
        for (int i = 0; i < literal.length(); i++) {
            char c = literal.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        try {
            return Long.parseLong(literal);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Gson's message reduced to one line: its advice to parse leniently and its troubleshooting link mean
     * nothing to someone holding a broken model file, and the path of a deeply nested value can be huge.
     */
    static String jsonSyntaxProblem(Exception e) {
        String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        message = message.replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON", "syntax error");
        return abbreviate(message, 200);
    }

    private static String abbreviate(String text, int limit) {
        return text.length() <= limit ? text : text.substring(0, limit) + "...";
    }

    private static void checkOverlaps(Path file, List<TensorInfo> tensors) {
        List<TensorInfo> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        TensorInfo previous = null;
        for (TensorInfo t : sorted) {
            if (previous != null && t.begin() < previous.end() && t.byteSize() > 0) {
                throw new MalformedSafetensorsException(file, t.name(), "data_offsets [" + t.begin() + ", " + t.end()
                        + "] overlap tensor '" + previous.name() + "' [" + previous.begin() + ", " + previous.end() + "]");
            }
            if (t.byteSize() > 0) {
                previous = t;
            }
        }
    }
}
