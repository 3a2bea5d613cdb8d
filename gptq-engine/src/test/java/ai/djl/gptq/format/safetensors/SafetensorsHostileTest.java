package ai.djl.gptq.format.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.gptq.format.MalformedSafetensorsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed files built byte by byte: each must be refused at open with {@link MalformedSafetensorsException}
 * whose message names the file, the tensor (when the problem belongs to one) and the problem.
 */
class SafetensorsHostileTest {

    @TempDir
    Path dir;

    private static String entry(String dtype, String shape, String offsets) {
        return "{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
    }

    /** The header JSON (length field = its exact byte count) followed by {@code dataBytes} zero bytes. */
    private static byte[] file(String header, int dataBytes) {
        return file(header.getBytes(StandardCharsets.UTF_8), dataBytes);
    }

    private static byte[] file(byte[] header, int dataBytes) {
        return ByteBuffer.allocate(8 + header.length + dataBytes)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length)
                .put(header)
                .array();
    }

    private static byte[] headerLength(long length, int fileBytes) {
        return ByteBuffer.allocate(fileBytes).order(ByteOrder.LITTLE_ENDIAN).putLong(length).array();
    }

    private static byte[] truncatedWriterOutput(Path dir) throws IOException {
        Path scratch = dir.resolve("scratch.safetensors");
        new SafetensorsWriter().addInts("w", new long[] {64}, new int[64]).write(scratch);
        byte[] full = Files.readAllBytes(scratch);
        Files.delete(scratch);
        return Arrays.copyOf(full, full.length - 10);
    }

    static List<Arguments> hostileHeaders() {
        String deep = "[".repeat(100_000);
        String hugeLiteral = "9".repeat(1_000_000);
        return List.of(
                Arguments.of("header not JSON", file("{\"a\": ", 0), "a", "not valid JSON"),
                Arguments.of("header not an object", file("[1, 2]", 0), null, "not a JSON object"),
                Arguments.of("header empty", file("", 0), null, "not valid JSON"),
                Arguments.of("trailing garbage", file("{} xx", 0), null, "not valid JSON"),
                Arguments.of("two objects", file("{}{}", 0), null, "JSON"),
                Arguments.of("header not UTF-8", file(new byte[] {'{', '"', (byte) 0xe9, '"', ':', '1', '}'}, 0), null, "UTF-8"),
                Arguments.of("unknown dtype", file("{\"w\":" + entry("F8", "[1]", "[0,1]") + "}", 1), "w", "unknown dtype 'F8'"),
                Arguments.of("dtype not a string", file("{\"w\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,1]}}", 1), "w", "dtype is not a string"),
                Arguments.of("negative dim", file("{\"w\":" + entry("U8", "[-1]", "[0,1]") + "}", 1), "w", "negative"),
                Arguments.of("fractional dim", file("{\"w\":" + entry("U8", "[1.5]", "[0,1]") + "}", 1), "w", "not a 64-bit integer"),
                Arguments.of("integral fraction", file("{\"w\":" + entry("U8", "[1.0]", "[0,1]") + "}", 1), "w", "not a 64-bit integer"),
                Arguments.of("exponent dim", file("{\"w\":" + entry("U8", "[1e0]", "[0,1]") + "}", 1), "w", "not a 64-bit integer"),
                Arguments.of("string dim", file("{\"w\":" + entry("U8", "[\"1\"]", "[0,1]") + "}", 1), "w", "non-number"),
                Arguments.of("null dim", file("{\"w\":" + entry("U8", "[null]", "[0,1]") + "}", 1), "w", "non-number"),
                Arguments.of("dim beyond long", file("{\"w\":" + entry("U8", "[9223372036854775808]", "[0,1]") + "}", 1), "w", "not a 64-bit integer"),
                Arguments.of("million-digit dim", file("{\"w\":" + entry("U8", "[" + hugeLiteral + "]", "[0,1]") + "}", 1), "w", "not valid JSON"),
                Arguments.of("shape not an array", file("{\"w\":" + entry("U8", "1", "[0,1]") + "}", 1), "w", "shape is not an array"),
                Arguments.of("rank 65", file("{\"w\":" + entry("U8", Arrays.toString(new int[65]).replace(" ", ""), "[0,0]") + "}", 0), "w", "more than 64"),
                Arguments.of("shape overflow 2^40 x 2^40", file("{\"w\":" + entry("F32", "[1099511627776,1099511627776]", "[0,4]") + "}", 4), "w", "overflows"),
                Arguments.of("byte count overflow", file("{\"w\":" + entry("F64", "[2305843009213693952]", "[0,8]") + "}", 8), "w", "overflows"),
                Arguments.of("shape vs bytes", file("{\"w\":" + entry("F32", "[3]", "[0,8]") + "}", 8), "w", "needs 12 bytes but data_offsets span 8"),
                Arguments.of("offsets past the end", file("{\"w\":" + entry("U8", "[16]", "[0,16]") + "}", 8), "w", "past the data area"),
                Arguments.of("shape smaller than bytes", file("{\"w\":" + entry("F32", "[1]", "[0,8]") + "}", 8), "w", "needs 4 bytes but data_offsets span 8"),
                Arguments.of("offsets one byte past the end", file("{\"w\":" + entry("U8", "[8]", "[1,9]") + "}", 8), "w", "[1, 9] end past the data area of 8 bytes"),
                Arguments.of("offsets far past the end", file("{\"w\":" + entry("U8", "[16]", "[9223372036854775791,9223372036854775807]") + "}", 8), "w", "past the data area"),
                Arguments.of("offsets reversed", file("{\"w\":" + entry("U8", "[0]", "[4,0]") + "}", 8), "w", "reversed"),
                Arguments.of("negative offset", file("{\"w\":" + entry("U8", "[1]", "[-1,0]") + "}", 8), "w", "negative"),
                Arguments.of("one offset", file("{\"w\":" + entry("U8", "[1]", "[1]") + "}", 2), "w", "two numbers"),
                Arguments.of("three offsets", file("{\"w\":" + entry("U8", "[1]", "[0,1,2]") + "}", 2), "w", "two numbers"),
                Arguments.of("offsets missing", file("{\"w\":{\"dtype\":\"U8\",\"shape\":[1]}}", 1), "w", "needs dtype, shape and data_offsets"),
                Arguments.of("entry not an object", file("{\"w\":[1]}", 1), "w", "not an object"),
                Arguments.of("overlapping tensors", file("{\"a\":" + entry("U8", "[4]", "[0,4]") + ",\"b\":" + entry("U8", "[4]", "[2,6]") + "}", 8), "b", "overlap tensor 'a'"),
                Arguments.of("tensor inside another", file("{\"a\":" + entry("U8", "[8]", "[0,8]") + ",\"b\":" + entry("U8", "[2]", "[2,4]") + "}", 8), "b", "overlap"),
                Arguments.of("duplicate tensor name", file("{\"a\":" + entry("U8", "[1]", "[0,1]") + ",\"a\":" + entry("U8", "[1]", "[1,2]") + "}", 8), "a", "appears twice"),
                Arguments.of("duplicate field", file("{\"a\":{\"dtype\":\"U8\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,1]}}", 4), "a", "field 'dtype' appears twice"),
                Arguments.of("metadata not an object", file("{\"__metadata__\":[]}", 0), "__metadata__", "must be an object"),
                Arguments.of("metadata not strings", file("{\"__metadata__\":{\"a\":1}}", 0), "__metadata__", "not a string"),
                Arguments.of("deep nesting", file("{\"w\":{\"x\":" + deep + "}}", 0), "w", "not valid JSON"),
                Arguments.of("empty file", new byte[0], null, "too short"),
                Arguments.of("7-byte file", new byte[7], null, "too short"),
                Arguments.of("header length beyond 2^63", headerLength(-1L, 16), null, "header length 18446744073709551615 exceeds the limit"),
                Arguments.of("header length Long.MAX", headerLength(Long.MAX_VALUE, 16), null, "exceeds the limit"),
                Arguments.of("header length 200 MB", headerLength(200L << 20, 16), null, "exceeds the limit"),
                Arguments.of("header length past the end", headerLength(64, 16), null, "runs past the end of the 16-byte file"),
                Arguments.of("header length one byte past the end", headerLength(9, 16), null, "header length 9 runs past the end of the 16-byte file"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileHeaders")
    void refusesNamingFileTensorAndProblem(String label, byte[] bytes, String tensor, String problem) throws IOException {
        Path file = dir.resolve("bad.safetensors");
        Files.write(file, bytes);
        MalformedSafetensorsException e = assertThrows(MalformedSafetensorsException.class, () -> SafetensorsFile.open(file), label);
        assertEquals(file, e.file(), label);
        assertEquals(tensor, e.item(), label + ": " + e.getMessage());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        if (tensor != null) {
            assertTrue(e.getMessage().contains("'" + tensor + "'"), label + ": " + e.getMessage());
        }
        assertTrue(e.getMessage().contains(problem), label + ": " + e.getMessage());
        assertTrue(e.getMessage().length() < 400 && e.getMessage().lines().count() == 1, label + ": not one short line: " + e.getMessage());
        assertTrue(!e.getMessage().contains("LENIENT"), label + ": advice meant for programmers: " + e.getMessage());
    }

    @Test
    void refusesTruncatedDataNamingTheTensor() throws IOException {
        Path file = dir.resolve("truncated.safetensors");
        Files.write(file, truncatedWriterOutput(dir));
        MalformedSafetensorsException e = assertThrows(MalformedSafetensorsException.class, () -> SafetensorsFile.open(file));
        assertEquals("w", e.item());
        assertTrue(e.getMessage().startsWith(file + ": 'w': "), e.getMessage());
        assertTrue(e.getMessage().contains("past the data area of 246 bytes (file truncated?)"), e.getMessage());
    }

    @Test
    void refusesAMissingFileNamingIt() {
        Path file = dir.resolve("absent.safetensors");
        MalformedSafetensorsException e = assertThrows(MalformedSafetensorsException.class, () -> SafetensorsFile.open(file));
        assertEquals(file + ": file not found", e.getMessage());
    }

    @Test
    void acceptsWhatTheReferenceAllows() throws IOException {
        // Space padding, unknown per-tensor fields, zero-size tensors sharing an offset, unused trailing bytes.
        String header = "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2],\"extra\":[{}]},"
                + "\"z\":" + entry("F32", "[0,3]", "[1,1]") + ",\"b\":" + entry("U8", "[2]", "[2,4]") + "}   ";
        Path file = dir.resolve("lenient.safetensors");
        Files.write(file, file(header, 8));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(3, f.names().size());
            assertEquals(0, f.tensor("z").elementCount());
            assertEquals(2, f.tensor("b").elementCount());
        }
    }
}
