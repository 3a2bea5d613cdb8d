package ai.djl.gptq.format.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.gptq.format.CheckpointException;
import ai.djl.gptq.format.InconsistentWeightsException;
import ai.djl.gptq.format.InvalidConfigException;
import ai.djl.gptq.format.MalformedSafetensorsException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SafetensorsFileTest {

    @TempDir
    Path dir;

    /** A file with the given header JSON (padded to 8 bytes) followed by {@code dataBytes} zero bytes. */
    private Path raw(String name, String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json);
        Path file = dir.resolve(name);
        Files.write(file, b.array());
        return file;
    }

    @Test
    void roundTripsEveryDtype() {
        Path file = dir.resolve("all.safetensors");
        new SafetensorsWriter()
                .metadata("format", "pt")
                .addFloats("f32", DType.F32, new long[] {2, 3}, new float[] {1, -2, 3.5f, 0, 1e-3f, -7})
                .addFloats("f16", DType.F16, new long[] {3}, new float[] {0.5f, -65504f, 6.1035156e-5f})
                .addFloats("bf16", DType.BF16, new long[] {2}, new float[] {1.5f, -3.0e38f})
                .addFloats("f64", DType.F64, new long[] {1}, new float[] {0.25f})
                .addInts("i32", new long[] {2, 2}, new int[] {1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE})
                .add("i64", DType.I64, new long[] {1}, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(-5L).array())
                .add("i16", DType.I16, new long[] {1}, new byte[] {(byte) 0xff, (byte) 0x7f})
                .add("i8", DType.I8, new long[] {2}, new byte[] {-3, 4})
                .add("u8", DType.U8, new long[] {2}, new byte[] {(byte) 200, 1})
                .add("bool", DType.BOOL, new long[] {2}, new byte[] {1, 0})
                .add("scalar", DType.F32, new long[] {}, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(9f).array())
                .add("empty", DType.F32, new long[] {0, 4}, new byte[0])
                .write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(Map.of("format", "pt"), f.metadata());
            assertEquals(12, f.names().size());
            assertArrayEquals(new float[] {1, -2, 3.5f, 0, 1e-3f, -7}, f.tensor("f32").toFloatArray());
            assertArrayEquals(new float[] {0.5f, -65504f, 6.1035156e-5f}, f.tensor("f16").toFloatArray());
            assertEquals(1.5f, f.tensor("bf16").getFloat(0));
            assertEquals(0.25f, f.tensor("f64").getFloat(0));
            assertArrayEquals(new int[] {1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE}, f.tensor("i32").toIntArray());
            assertEquals(-5L, f.tensor("i64").getLong(0));
            assertEquals(32767L, f.tensor("i16").getLong(0));
            assertEquals(-3L, f.tensor("i8").getLong(0));
            assertEquals(200L, f.tensor("u8").getLong(0));
            assertEquals(1L, f.tensor("bool").getLong(0));
            assertEquals(9f, f.tensor("scalar").getFloat(0));
            assertEquals(0, f.tensor("empty").elementCount());
            assertArrayEquals(new long[] {2, 3}, f.info("f32").shape());
        }
    }

    static List<Arguments> hostileHeaders() {
        return List.of(
                Arguments.of("not JSON", "{\"a\": ", 0, null, "not valid JSON"),
                Arguments.of("not an object", "[1, 2]", 0, null, "not a JSON object"),
                Arguments.of("trailing garbage", "{} xx", 0, null, "JSON"),
                Arguments.of("unknown dtype", "{\"w\":{\"dtype\":\"F8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1, "w", "unknown dtype"),
                Arguments.of("negative dim", "{\"w\":{\"dtype\":\"U8\",\"shape\":[-1],\"data_offsets\":[0,1]}}", 1, "w", "negative"),
                Arguments.of("fractional dim", "{\"w\":{\"dtype\":\"U8\",\"shape\":[1.5],\"data_offsets\":[0,1]}}", 1, "w", "not a 64-bit integer"),
                Arguments.of("string dim", "{\"w\":{\"dtype\":\"U8\",\"shape\":[\"1\"],\"data_offsets\":[0,1]}}", 1, "w", "non-number"),
                Arguments.of("huge dim", "{\"w\":{\"dtype\":\"U8\",\"shape\":[1e30],\"data_offsets\":[0,1]}}", 1, "w", "not a 64-bit integer"),
                Arguments.of("shape overflow", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1099511627776,1099511627776],\"data_offsets\":[0,4]}}", 4, "w", "overflows"),
                Arguments.of("shape vs bytes", "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "w", "needs 12 bytes"),
                Arguments.of("past the end", "{\"w\":{\"dtype\":\"U8\",\"shape\":[16],\"data_offsets\":[0,16]}}", 8, "w", "past the data area"),
                Arguments.of("reversed", "{\"w\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[4,0]}}", 8, "w", "reversed"),
                Arguments.of("overlap", "{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[2,6]}}", 8, "b", "overlap"),
                Arguments.of("duplicate", "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 8, "a", "twice"),
                Arguments.of("missing offsets", "{\"w\":{\"dtype\":\"U8\",\"shape\":[1]}}", 1, "w", "needs dtype, shape and data_offsets"),
                Arguments.of("three offsets", "{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1,2]}}", 2, "w", "two numbers"),
                Arguments.of("metadata not strings", "{\"__metadata__\":{\"a\":1}}", 0, "__metadata__", "not a string"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileHeaders")
    void refusesHostileHeaderNamingFileTensorAndProblem(String label, String header, int dataBytes, String tensor, String problem) throws IOException {
        Path file = raw("bad.safetensors", header, dataBytes);
        MalformedSafetensorsException e = assertThrows(MalformedSafetensorsException.class, () -> SafetensorsFile.open(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(problem), label + ": " + e.getMessage());
        if (tensor != null) {
            assertTrue(e.getMessage().contains("'" + tensor + "'"), label + ": " + e.getMessage());
        }
    }

    @Test
    void refusesTruncatedEmptyAndForgedHeaderLengths() throws IOException {
        Path empty = dir.resolve("empty.safetensors");
        Files.write(empty, new byte[0]);
        assertTrue(assertThrows(MalformedSafetensorsException.class, () -> SafetensorsFile.open(empty)).getMessage().contains("too short"));
        Path seven = dir.resolve("seven.safetensors");
        Files.write(seven, new byte[7]);
        assertThrows(MalformedSafetensorsException.class, () -> SafetensorsFile.open(seven));
        for (long forged : new long[] {-1L, Long.MAX_VALUE, 200L * 1024 * 1024, 64}) {
            Path f = dir.resolve("len" + Long.toUnsignedString(forged) + ".safetensors");
            Files.write(f, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(forged).array());
            MalformedSafetensorsException e = assertThrows(MalformedSafetensorsException.class, () -> SafetensorsFile.open(f));
            assertTrue(e.getMessage().contains("header length"), e.getMessage());
        }
        Path notUtf8 = dir.resolve("latin1.safetensors");
        Files.write(notUtf8, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(8).put(new byte[] {'{', '"', (byte) 0xe9, '"', ':', '1', '}', ' '}).array());
        assertTrue(assertThrows(MalformedSafetensorsException.class, () -> SafetensorsFile.open(notUtf8)).getMessage().contains("UTF-8"));
        Path truncated = dir.resolve("truncated.safetensors");
        new SafetensorsWriter().addInts("w", new long[] {64}, new int[64]).write(truncated);
        try (RandomAccessFile f = new RandomAccessFile(truncated.toFile(), "rw")) {
            f.setLength(f.length() - 10);
        }
        assertTrue(assertThrows(MalformedSafetensorsException.class, () -> SafetensorsFile.open(truncated)).getMessage().contains("truncated"));
    }

    @Test
    void missingTensorAndUseAfterCloseFailCleanly() {
        Path file = dir.resolve("one.safetensors");
        new SafetensorsWriter().addInts("w", new long[] {4}, new int[] {1, 2, 3, 4}).write(file);
        SafetensorsFile f = SafetensorsFile.open(file);
        InconsistentWeightsException missing = assertThrows(InconsistentWeightsException.class, () -> f.tensor("nope"));
        assertTrue(missing.getMessage().contains("'nope'") && missing.getMessage().contains(file.toString()));
        Tensor view = f.tensor("w");
        f.close();
        f.close();
        assertThrows(IllegalStateException.class, () -> view.getInt(0));
        assertThrows(IllegalStateException.class, () -> f.tensor("w"));
    }

    @Test
    void readsFilesAndTensorsBeyondTwoGigabytes() throws IOException {
        long elements = (1L << 31) + 16;
        String header = "{\"big\":{\"dtype\":\"U8\",\"shape\":[" + elements + "],\"data_offsets\":[0," + elements + "]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("big.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            f.write(json);
            f.setLength(8 + json.length + elements);
            f.seek(8 + json.length + elements - 1);
            f.write(42);
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Tensor big = f.tensor("big");
            assertEquals(elements, big.elementCount());
            assertEquals(42L, big.getLong(elements - 1));
            assertEquals(0L, big.getLong(elements - 2));
            assertThrows(InconsistentWeightsException.class, big::toFloatArray);
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void shardedCheckpointResolvesTensorsAcrossFiles() throws IOException {
        new SafetensorsWriter().addInts("a", new long[] {1}, new int[] {1}).write(dir.resolve("s-1.safetensors"));
        new SafetensorsWriter().addInts("b", new long[] {1}, new int[] {2}).write(dir.resolve("s-2.safetensors"));
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, "{\"metadata\":{},\"weight_map\":{\"a\":\"s-1.safetensors\",\"b\":\"s-2.safetensors\"}}");
        try (TensorSource s = TensorSources.open(index)) {
            assertEquals(2, s.tensor("b").getInt(0));
            assertEquals(1, s.tensor("a").getInt(0));
            assertEquals(8, s.dataBytes());
        }
    }

    @Test
    void shardIndexMustStayInsideTheFolderAndMatchTheShards() throws IOException {
        Path model = Files.createDirectories(dir.resolve("model"));
        Path outside = dir.resolve("outside.safetensors");
        new SafetensorsWriter().addInts("a", new long[] {1}, new int[] {1}).write(outside);
        new SafetensorsWriter().addInts("a", new long[] {1}, new int[] {1}).write(model.resolve("s.safetensors"));
        Files.createSymbolicLink(model.resolve("link.safetensors"), outside);
        Path index = model.resolve("model.safetensors.index.json");
        Map<String, String> cases = Map.of(
                "{\"weight_map\":{\"a\":\"../outside.safetensors\"}}", "escapes",
                "{\"weight_map\":{\"a\":\"" + outside.toAbsolutePath() + "\"}}", "relative",
                "{\"weight_map\":{\"a\":\"link.safetensors\"}}", "outside the model folder",
                "{\"weight_map\":{\"a\":\"gone.safetensors\"}}", "missing",
                "{\"weight_map\":{}}", "empty",
                "not json", "not valid JSON");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Files.writeString(index, c.getKey());
            InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ShardedSafetensors.open(index));
            assertTrue(e.getMessage().contains(c.getValue()) && e.getMessage().contains(index.toString()), e.getMessage());
        }
        Files.writeString(index, "{\"weight_map\":{\"a\":\"s.safetensors\",\"b\":\"s.safetensors\"}}");
        CheckpointException absent = assertThrows(InconsistentWeightsException.class, () -> ShardedSafetensors.open(index));
        assertTrue(absent.getMessage().contains("'b'"), absent.getMessage());
        new SafetensorsWriter().addInts("a", new long[] {1}, new int[] {1}).write(model.resolve("t.safetensors"));
        Files.writeString(index, "{\"weight_map\":{\"a\":\"s.safetensors\",\"c\":\"t.safetensors\"}}");
        assertThrows(InconsistentWeightsException.class, () -> ShardedSafetensors.open(index));
    }
}
