package ai.djl.gptq.format.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {

    @TempDir
    Path dir;

    @Test
    void writesTheReferenceLayoutByteForByte() throws IOException {
        Path file = dir.resolve("ref.safetensors");
        new SafetensorsWriter()
                .metadata("format", "pt")
                .addFloats("a", DType.F32, new long[] {2}, new float[] {1f, -2f})
                .add("b", DType.U8, new long[] {3}, new byte[] {7, 8, 9})
                .write(file);
        // What the reference serializer writes for these tensors: compact JSON, metadata first, spaces up to a
        // multiple of 8, then the data in offset order.
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[8,11]}}";
        assertEquals(138, json.length());
        ByteBuffer expected = ByteBuffer.allocate(8 + 144 + 11).order(ByteOrder.LITTLE_ENDIAN);
        expected.putLong(144).put(json.getBytes(StandardCharsets.US_ASCII)).put("      ".getBytes(StandardCharsets.US_ASCII));
        expected.putFloat(1f).putFloat(-2f).put(new byte[] {7, 8, 9});
        assertArrayEquals(expected.array(), Files.readAllBytes(file));
    }

    @Test
    void keepsInsertionOrderAndOmitsEmptyMetadata() throws IOException {
        Path file = dir.resolve("order.safetensors");
        new SafetensorsWriter()
                .addInts("z", new long[] {1}, new int[] {1})
                .addInts("a", new long[] {2}, new int[] {2, 3})
                .addInts("m", new long[] {1, 1}, new int[] {4})
                .write(file);
        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8);
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        assertFalse(header.contains("__metadata__"), header);
        String json = header.stripTrailing();
        assertTrue(json.endsWith("}") && header.substring(json.length()).chars().allMatch(c -> c == ' '), header);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(List.of("z", "a", "m"), f.infos().stream().map(TensorInfo::name).toList());
            assertEquals(List.of(0L, 4L, 12L), f.infos().stream().map(TensorInfo::begin).toList());
            assertEquals(Map.of(), f.metadata());
            assertArrayEquals(new int[] {2, 3}, f.tensor("a").toIntArray());
        }
    }

    @Test
    void escapesNamesAndMetadataAsJson() {
        Path file = dir.resolve("names.safetensors");
        String odd = "layer \"0\"\\é\n<ü>";
        new SafetensorsWriter().metadata("note", "a \"quoted\" ∑ value").addInts(odd, new long[] {1}, new int[] {5}).write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(5, f.tensor(odd).getInt(0));
            assertEquals("a \"quoted\" ∑ value", f.metadata().get("note"));
        }
    }

    @Test
    void replacesAnExistingFile() {
        Path file = dir.resolve("twice.safetensors");
        new SafetensorsWriter().addInts("w", new long[] {64}, new int[64]).write(file);
        new SafetensorsWriter().addInts("w", new long[] {1}, new int[] {9}).write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(9, f.tensor("w").getInt(0));
            assertEquals(4, f.dataBytes());
        }
    }

    @Test
    void refusesInconsistentTensors() {
        SafetensorsWriter w = new SafetensorsWriter().addInts("w", new long[] {2}, new int[] {1, 2});
        assertThrows(IllegalArgumentException.class, () -> w.addInts("w", new long[] {1}, new int[] {1}));
        assertThrows(IllegalArgumentException.class, () -> w.addInts("__metadata__", new long[] {1}, new int[] {1}));
        assertThrows(IllegalArgumentException.class, () -> w.addInts("short", new long[] {3}, new int[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> w.add("neg", DType.U8, new long[] {-1}, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> w.addFloats("int", DType.I32, new long[] {1}, new float[] {1}));
        assertThrows(ArithmeticException.class, () -> w.add("huge", DType.F32, new long[] {1L << 40, 1L << 40}, new byte[0]));
        Path file = dir.resolve("kept.safetensors");
        w.write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(List.of("w"), List.copyOf(f.names()));
        }
    }

    @Test
    void streamsManyTensorsWithoutLosingBytes() {
        Path file = dir.resolve("many.safetensors");
        SafetensorsWriter w = new SafetensorsWriter();
        byte[][] payloads = new byte[300][];
        for (int i = 0; i < payloads.length; i++) {
            payloads[i] = new byte[i * 37 % 4096 + 1];
            Arrays.fill(payloads[i], (byte) i);
            w.add("t" + i, DType.I8, new long[] {payloads[i].length}, payloads[i]);
        }
        w.write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (int i = 0; i < payloads.length; i++) {
                Tensor t = f.tensor("t" + i);
                assertEquals(payloads[i].length, t.elementCount());
                assertEquals((byte) i, (byte) t.getLong(payloads[i].length - 1));
            }
        }
    }
}
