package ai.djl.gptq.format.safetensors;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a safetensors file: little-endian data in insertion order after a JSON header padded with spaces to
 * an 8-byte boundary, as the reference implementation does. Used by the {@code logits} command, synthetic
 * checkpoints and tests.
 */
public final class SafetensorsWriter {

    private record Entry(String name, DType dtype, long[] shape, byte[] data) {}

    private final List<Entry> entries = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /**
     * Adds a tensor from its little-endian bytes; their count must match the shape. The array is not copied:
     * {@link #write} writes it as it is then.
     */
    public SafetensorsWriter add(String name, DType dtype, long[] shape, byte[] littleEndianData) {
        long elements = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(name + ": negative dimension");
            }
            elements = Math.multiplyExact(elements, d);
        }
        if (Math.multiplyExact(elements, dtype.byteSize()) != littleEndianData.length) {
            throw new IllegalArgumentException(name + ": " + littleEndianData.length + " bytes do not match " + dtype + Arrays.toString(shape));
        }
        if (name.equals("__metadata__")) {
            throw new IllegalArgumentException("__metadata__ is reserved for the metadata map, not a tensor name");
        }
        if (!names.add(name)) {
            throw new IllegalArgumentException(name + ": added twice");
        }
        entries.add(new Entry(name, dtype, shape.clone(), littleEndianData));
        return this;
    }

    /** Adds a floating-point tensor, converting {@code values} to F32, F16, BF16 (round to nearest even) or F64. */
    public SafetensorsWriter addFloats(String name, DType dtype, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, dtype.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            switch (dtype) {
                case F32 -> b.putFloat(v);
                case F16 -> b.putShort(Float.floatToFloat16(v));
                case BF16 -> b.putShort(toBfloat16(v));
                case F64 -> b.putDouble(v);
                default -> throw new IllegalArgumentException(name + ": " + dtype + " is not a floating-point type");
            }
        }
        return add(name, dtype, shape, b.array());
    }

    /** Adds an I32 tensor. */
    public SafetensorsWriter addInts(String name, long[] shape, int[] values) {
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, 4)).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putInt(v);
        }
        return add(name, DType.I32, shape, b.array());
    }

    /** Writes the file, replacing any existing one. */
    public void write(Path file) {
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (Entry e : entries) {
            JsonObject t = new JsonObject();
            t.addProperty("dtype", e.dtype.name());
            JsonArray shape = new JsonArray();
            for (long d : e.shape) {
                shape.add(d);
            }
            t.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + e.data.length);
            t.add("data_offsets", offsets);
            header.add(e.name, t);
            offset += e.data.length;
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) & ~7;
        byte[] headerBytes = new byte[padded];
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(headerBytes);
            for (Entry e : entries) {
                out.write(e.data);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static short toBfloat16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
