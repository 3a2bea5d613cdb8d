package ai.djl.gptq.format.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.gptq.format.InconsistentWeightsException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {

    /** Keeps the reader loop's loads observable. */
    private static volatile long sink;

    @TempDir
    Path dir;

    private static byte[] littleEndian(int bytes, java.util.function.Consumer<ByteBuffer> fill) {
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        fill.accept(b);
        return b.array();
    }

    @Test
    void roundTripsEveryDtypeWithItsValues() {
        Path file = dir.resolve("all.safetensors");
        new SafetensorsWriter()
                .metadata("format", "pt")
                .addFloats("f32", DType.F32, new long[] {2, 3}, new float[] {1, -2, 3.5f, 0, 1e-3f, -7})
                .addFloats("f16", DType.F16, new long[] {4}, new float[] {0.5f, -65504f, 6.1035156e-5f, Float.NEGATIVE_INFINITY})
                .addFloats("bf16", DType.BF16, new long[] {4}, new float[] {1.5f, -3.0e38f, 1.00390625f, 1.01171875f})
                .addFloats("f64", DType.F64, new long[] {2}, new float[] {0.25f, -1e30f})
                .addInts("i32", new long[] {2, 2}, new int[] {1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE})
                .add("i64", DType.I64, new long[] {2}, littleEndian(16, b -> b.putLong(Long.MIN_VALUE).putLong(-5L)))
                .add("i16", DType.I16, new long[] {2}, littleEndian(4, b -> b.putShort(Short.MAX_VALUE).putShort((short) -2)))
                .add("i8", DType.I8, new long[] {2}, new byte[] {-128, 4})
                .add("u8", DType.U8, new long[] {2}, new byte[] {(byte) 200, (byte) 255})
                .add("bool", DType.BOOL, new long[] {2}, new byte[] {1, 0})
                .add("scalar", DType.F32, new long[] {}, littleEndian(4, b -> b.putFloat(9f)))
                .add("empty", DType.F32, new long[] {0, 4}, new byte[0])
                .write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(Map.of("format", "pt"), f.metadata());
            assertEquals(List.of("f32", "f16", "bf16", "f64", "i32", "i64", "i16", "i8", "u8", "bool", "scalar", "empty"),
                    f.infos().stream().map(TensorInfo::name).toList());
            assertArrayEquals(new float[] {1, -2, 3.5f, 0, 1e-3f, -7}, f.tensor("f32").toFloatArray());
            assertArrayEquals(new float[] {0.5f, -65504f, 6.1035156e-5f, Float.NEGATIVE_INFINITY}, f.tensor("f16").toFloatArray());
            // 1 + 2^-8 and 1 + 3 * 2^-8 lie exactly between two bf16 values and round to the even neighbour.
            assertArrayEquals(new float[] {1.5f, Float.intBitsToFloat(0xff620000), 1.0f, 1.015625f}, f.tensor("bf16").toFloatArray());
            assertArrayEquals(new float[] {0.25f, -1e30f}, f.tensor("f64").toFloatArray());
            assertArrayEquals(new int[] {1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE}, f.tensor("i32").toIntArray());
            assertEquals(Integer.MIN_VALUE, f.tensor("i32").getInt(3));
            assertEquals(Long.MIN_VALUE, f.tensor("i64").getLong(0));
            assertEquals(-5L, f.tensor("i64").getLong(1));
            assertEquals(-5f, f.tensor("i64").getFloat(1));
            assertArrayEquals(new int[] {Short.MAX_VALUE, -2}, f.tensor("i16").toIntArray());
            assertArrayEquals(new int[] {-128, 4}, f.tensor("i8").toIntArray());
            assertArrayEquals(new int[] {200, 255}, f.tensor("u8").toIntArray());
            assertArrayEquals(new int[] {1, 0}, f.tensor("bool").toIntArray());
            assertEquals(9f, f.tensor("scalar").getFloat(0));
            assertEquals(1, f.tensor("scalar").elementCount());
            assertEquals(0, f.tensor("empty").elementCount());
            assertEquals(0, f.tensor("empty").toFloatArray().length);
            assertArrayEquals(new long[] {2, 3}, f.info("f32").shape());
            assertEquals(DType.BF16, f.tensor("bf16").dtype());
            assertEquals(file, f.tensor("f32").file());
            assertEquals(24 + 8 + 8 + 16 + 16 + 16 + 4 + 2 + 2 + 2 + 4, f.dataBytes());
            assertThrows(InconsistentWeightsException.class, () -> f.tensor("i64").toIntArray());
            assertThrows(InconsistentWeightsException.class, () -> f.tensor("f32").getLong(0));
            assertThrows(InconsistentWeightsException.class, () -> f.tensor("u8").getInt(0));
        }
    }

    @Test
    void tensorsAreZeroCopyViewsOfTheMapping() {
        Path file = dir.resolve("views.safetensors");
        new SafetensorsWriter().addInts("a", new long[] {3}, new int[] {7, 8, 9}).addInts("b", new long[] {1}, new int[] {5}).write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Tensor a = f.tensor("a");
            Tensor b = f.tensor("b");
            assertTrue(a.data().isMapped() && b.data().isMapped());
            assertEquals(12, a.data().byteSize());
            assertEquals(a.data().address() + 12, b.data().address());
            assertThrows(IndexOutOfBoundsException.class, () -> a.getInt(3));
        }
    }

    @Test
    void missingTensorNamesFileAndTensor() {
        Path file = dir.resolve("one.safetensors");
        new SafetensorsWriter().addInts("w", new long[] {4}, new int[] {1, 2, 3, 4}).write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            InconsistentWeightsException e = assertThrows(InconsistentWeightsException.class, () -> f.tensor("nope"));
            assertEquals(file, e.file());
            assertEquals("nope", e.item());
            assertTrue(e.getMessage().startsWith(file + ": 'nope'"), e.getMessage());
            assertNull(f.info("nope"));
        }
    }

    @Test
    void closeUnmapsAndLaterReadsThrowIllegalState() {
        Path file = dir.resolve("one.safetensors");
        new SafetensorsWriter().addInts("w", new long[] {4}, new int[] {1, 2, 3, 4}).write(file);
        SafetensorsFile f = SafetensorsFile.open(file);
        Tensor view = f.tensor("w");
        assertEquals(3, view.getInt(2));
        f.close();
        f.close();
        assertThrows(IllegalStateException.class, () -> view.getInt(0));
        assertThrows(IllegalStateException.class, view::toIntArray);
        assertThrows(IllegalStateException.class, () -> f.tensor("w"));
        assertEquals(16, f.info("w").byteSize());
    }

    @Test
    void closingWhileAnotherThreadReadsFailsThatReaderCleanly() throws Exception {
        Path file = dir.resolve("shared.safetensors");
        new SafetensorsWriter().addInts("w", new long[] {1 << 16}, new int[1 << 16]).write(file);
        SafetensorsFile f = SafetensorsFile.open(file);
        Tensor view = f.tensor("w");
        CountDownLatch reading = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        // Bounded, so that a close that fails to stop the reader fails this test instead of hanging the run.
        long deadline = System.nanoTime() + 10_000_000_000L;
        Thread reader = new Thread(() -> {
            try {
                while (System.nanoTime() < deadline) {
                    long sum = 0;
                    for (int i = 0; i < 1 << 16; i++) {
                        sum += view.getInt(i);
                    }
                    sink = sum;
                    reading.countDown();
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        reader.setDaemon(true);
        reader.start();
        assertTrue(reading.await(10, TimeUnit.SECONDS), "reader started");
        f.close();
        reader.join();
        assertInstanceOf(IllegalStateException.class, failure.get());
    }

    @Test
    void readsFilesAndTensorsBeyondTwoGigabytes() throws IOException {
        long big = (1L << 31) + 16;
        long farBegin = 3L << 30;
        String header = "{\"big\":{\"dtype\":\"U8\",\"shape\":[" + big + "],\"data_offsets\":[0," + big + "]},"
                + "\"far\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + farBegin + "," + (farBegin + 8) + "]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        long dataStart = 8 + json.length;
        Path file = dir.resolve("big.safetensors");
        try {
            // Sparse: only the header and the few bytes written below take disk space.
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                f.write(littleEndian(8, b -> b.putLong(json.length)));
                f.write(json);
                f.setLength(dataStart + farBegin + 8);
                f.seek(dataStart + big - 2);
                f.write(new byte[] {17, 42});
                f.seek(dataStart + farBegin);
                f.write(littleEndian(8, b -> b.putFloat(2.5f).putFloat(-1f)));
            }
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                Tensor t = f.tensor("big");
                assertEquals(big, t.elementCount());
                assertEquals(big, t.dim(0));
                assertEquals(17L, t.getLong(big - 2));
                assertEquals(42L, t.getLong(big - 1));
                assertEquals(0L, t.getLong(1L << 31));
                assertThrows(IndexOutOfBoundsException.class, () -> t.getLong(big));
                InconsistentWeightsException tooBig = assertThrows(InconsistentWeightsException.class, t::toFloatArray);
                assertTrue(tooBig.getMessage().contains("'big'"), tooBig.getMessage());
                assertArrayEquals(new float[] {2.5f, -1f}, f.tensor("far").toFloatArray());
                assertEquals(big + 8, f.dataBytes());
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void tensorSourcesOpensAFileByName() {
        Path file = dir.resolve("model.safetensors");
        new SafetensorsWriter().addInts("w", new long[] {1}, new int[] {3}).write(file);
        try (TensorSource s = TensorSources.open(file)) {
            assertInstanceOf(SafetensorsFile.class, s);
            assertTrue(s.contains("w"));
            assertEquals(3, s.tensor("w").getInt(0));
            assertEquals(file, s.path());
        }
    }
}
