package ai.djl.gptq.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GptqNDArrayTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = Engine.getEngine("GPTQ").newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void broadcastArithmetic() {
        NDArray a = manager.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3));
        NDArray b = manager.create(new float[] {10, 20, 30});
        assertArrayEquals(new float[] {11, 22, 33, 14, 25, 36}, a.add(b).toFloatArray());
        NDArray column = manager.create(new float[] {1, 2}, new Shape(2, 1));
        assertArrayEquals(new float[] {0, 1, 2, 2, 3, 4}, a.sub(column).toFloatArray());
        assertEquals(new Shape(2, 3), a.mul(column).getShape());
        assertArrayEquals(new float[] {0.5f, 1, 1.5f, 2, 2.5f, 3}, a.div(2f).toFloatArray());
        assertArrayEquals(new float[] {3, 3, 3, 4, 5, 6}, a.maximum(3f).toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> a.add(manager.create(new float[] {1, 2})));
    }

    @Test
    void promotionFollowsPyTorch() {
        NDArray ints = manager.create(new int[] {7, -7, 4});
        assertEquals(DataType.INT32, ints.add(1).getDataType());
        assertEquals(DataType.INT32, ints.add(1L).getDataType(), "a scalar does not widen within a category");
        assertEquals(DataType.FLOAT32, ints.add(0.5f).getDataType());
        assertEquals(DataType.FLOAT32, ints.div(2).getDataType(), "true division");
        assertArrayEquals(new float[] {3.5f, -3.5f, 2}, ints.div(2).toFloatArray());
        assertArrayEquals(new int[] {1, 2, 1}, ints.mod(3).toIntArray(), "remainder takes the divisor's sign");
        NDArray longs = manager.create(new long[] {1, 2, 3});
        assertEquals(DataType.INT64, ints.add(longs).getDataType());
        NDArray half = manager.create(new float[] {1, 2, 3}).toType(DataType.FLOAT16, false);
        assertEquals(DataType.FLOAT16, half.mul(2f).getDataType());
        assertEquals(DataType.FLOAT32, half.add(manager.create(new float[] {1, 1, 1})).getDataType());
        assertEquals(DataType.FLOAT32,
                half.add(manager.create(new float[] {1, 1, 1}).toType(DataType.BFLOAT16, false)).getDataType());
        assertEquals(DataType.BOOLEAN, ints.gt(0).getDataType());
        assertThrows(UnsupportedOperationException.class,
                () -> manager.create(new byte[] {1}).add(manager.create(new byte[] {1}).toType(DataType.UINT8, false)));
    }

    @Test
    void inPlaceOpsWriteIntoTheArray() {
        NDArray a = manager.create(new float[] {1, 2, 3});
        assertSame(a, a.addi(1f).muli(manager.create(new float[] {2, 2, 2})).subi(1));
        assertArrayEquals(new float[] {3, 5, 7}, a.toFloatArray());
        a.divi(2f).negi();
        assertArrayEquals(new float[] {-1.5f, -2.5f, -3.5f}, a.toFloatArray());
        NDArray ints = manager.create(new long[] {5, 6});
        assertThrows(IllegalArgumentException.class, () -> ints.addi(0.5f), "float result into an int array");
        assertThrows(IllegalArgumentException.class, () -> a.addi(manager.ones(new Shape(2, 3))), "shape change");
    }

    @Test
    void unaryOps() {
        NDArray x = manager.create(new float[] {-1.5f, 0, 2.5f});
        assertArrayEquals(new float[] {1.5f, 0, 2.5f}, x.abs().toFloatArray());
        assertArrayEquals(new float[] {-2, 0, 2}, x.round().toFloatArray(), "half to even");
        assertArrayEquals(new float[] {-1, 0, 1}, x.sign().toFloatArray());
        assertArrayEquals(new float[] {(float) Math.exp(-1.5), 1, (float) Math.exp(2.5)}, x.exp().toFloatArray());
        assertArrayEquals(new float[] {(float) Math.tanh(-1.5), 0, (float) Math.tanh(2.5)}, x.tanh().toFloatArray());
        assertArrayEquals(new float[] {0, 0, 2.5f}, x.getNDArrayInternal().relu().toFloatArray());
        assertEquals(0.8413447460685429 * 1.0, manager.create(new float[] {1}).getNDArrayInternal().gelu()
                .toFloatArray()[0], 1e-7);
        assertEquals(0.8427007929497149, manager.create(new double[] {1}).erf().toDoubleArray()[0], 1e-15);
        assertArrayEquals(new boolean[] {false, true, false}, x.eq(0f).toBooleanArray());
        assertArrayEquals(new boolean[] {true, false, true}, x.eq(0f).logicalNot().toBooleanArray());
        NDArray nan = manager.create(new float[] {Float.NaN, 1});
        assertArrayEquals(new boolean[] {true, false}, nan.isNaN().toBooleanArray());
        assertEquals(DataType.FLOAT32, manager.create(new int[] {4}).sqrt().getDataType());
    }

    @Test
    void reductions() {
        NDArray a = manager.arange(24f).reshape(2, 3, 4);
        assertEquals(276f, a.sum().getFloat());
        assertArrayEquals(new float[] {12, 15, 18, 21, 48, 51, 54, 57}, a.sum(new int[] {1}).toFloatArray());
        assertEquals(new Shape(2, 1, 4), a.sum(new int[] {1}, true).getShape());
        assertArrayEquals(new float[] {60, 66, 72, 78}, a.sum(new int[] {0, 1}).toFloatArray());
        assertArrayEquals(new float[] {1.5f, 5.5f, 9.5f, 13.5f, 17.5f, 21.5f}, a.mean(new int[] {-1}).toFloatArray());
        assertEquals(23f, a.max().getFloat());
        assertArrayEquals(new long[] {2, 2, 2, 2, 2, 2, 2, 2}, a.argMax(1).toLongArray());
        assertEquals(0L, a.argMin().getLong());
        NDArray ints = manager.create(new int[] {3, 4});
        assertEquals(DataType.INT64, ints.sum().getDataType());
        assertEquals(12L, ints.prod().getLong());
        assertEquals(Float.NaN, manager.create(new float[] {1, Float.NaN, 3}).max().getFloat());
        assertThrows(IllegalArgumentException.class, () -> manager.create(new float[0]).max());
    }

    @Test
    void matMulForms() {
        NDArray a = manager.arange(6f).reshape(2, 3);
        NDArray b = manager.arange(12f).reshape(3, 4);
        assertArrayEquals(new float[] {20, 23, 26, 29, 56, 68, 80, 92}, a.matMul(b).toFloatArray());
        NDArray v = manager.create(new float[] {1, 1, 1});
        assertEquals(new Shape(2), a.matMul(v).getShape());
        assertArrayEquals(new float[] {3, 12}, a.matMul(v).toFloatArray());
        assertEquals(new Shape(4), v.matMul(b).getShape());
        assertEquals(3f, v.dot(v).getFloat());
        NDArray batch = manager.arange(12f).reshape(2, 2, 3);
        NDArray product = batch.matMul(b);
        assertEquals(new Shape(2, 2, 4), product.getShape());
        assertArrayEquals(a.matMul(b).toFloatArray(), product.get(0).toFloatArray());
        assertEquals(new Shape(2, 2, 2), batch.batchMatMul(batch.transpose(0, 2, 1)).getShape());
        assertArrayEquals(new int[] {5, 14}, manager.arange(6).reshape(2, 3)
                .matMul(manager.create(new int[] {0, 1, 2})).toIntArray(), "integer matMul");
        assertThrows(IllegalArgumentException.class, () -> a.matMul(a));
    }

    @Test
    void layoutOps() {
        NDArray a = manager.arange(6f).reshape(2, 3);
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, a.transpose().toFloatArray());
        assertEquals(new Shape(3, 2), a.swapAxes(0, 1).getShape());
        assertEquals(new Shape(1, 2, 3), a.expandDims(0).getShape());
        assertEquals(new Shape(2, 3), a.expandDims(0).squeeze().getShape());
        assertEquals(new Shape(3, 2), a.reshape(-1, 2).getShape());
        assertEquals(new Shape(6), a.flatten().getShape());
        assertArrayEquals(new float[] {2, 1, 0, 5, 4, 3}, a.flip(1).toFloatArray());
        assertArrayEquals(new float[] {0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5}, a.repeat(1, 2).toFloatArray());
        assertArrayEquals(new float[] {0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5}, a.tile(1, 2).toFloatArray());
        NDArray joined = NDArrays.concat(new NDList(a, a.add(10f)), 1);
        assertArrayEquals(new float[] {0, 1, 2, 10, 11, 12, 3, 4, 5, 13, 14, 15}, joined.toFloatArray());
        assertEquals(new Shape(2, 2, 3), NDArrays.stack(new NDList(a, a)).getShape());
        NDList parts = a.split(new long[] {1}, 1);
        assertArrayEquals(new float[] {1, 2, 4, 5}, parts.get(1).toFloatArray());
        assertArrayEquals(new float[] {0, 1, 2, 0, 1, 2}, manager.arange(3f).broadcast(2, 3).toFloatArray());
    }

    @Test
    void indexing() {
        NDArray a = manager.arange(12f).reshape(3, 4);
        assertArrayEquals(new float[] {4, 5, 6, 7}, a.get(1).toFloatArray());
        assertArrayEquals(new float[] {1, 5, 9}, a.get(":, 1").toFloatArray());
        assertArrayEquals(new float[] {5, 7}, a.get("1, 1::2").toFloatArray());
        assertArrayEquals(new float[] {3, 7, 11}, a.get(":, -1").toFloatArray());
        assertEquals(11f, a.getFloat(2, 3));
        NDArray picked = a.get(new NDIndex().addAllDim().addPickDim(manager.create(new long[] {0, 1, 2}, new Shape(3, 1))));
        assertArrayEquals(new float[] {0, 5, 10}, picked.toFloatArray());
        NDArray rows = a.get(new NDIndex("{}", manager.create(new long[] {2, 0})));
        assertArrayEquals(new float[] {8, 9, 10, 11, 0, 1, 2, 3}, rows.toFloatArray());
        a.set(new NDIndex("0"), 0.5f);
        a.set(new NDIndex(":, 3"), manager.create(new float[] {-1, -2, -3}));
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, -1, 4, 5, 6, -2, 8, 9, 10, -3}, a.toFloatArray());
        NDArray masked = a.get(a.gt(8f));
        assertArrayEquals(new float[] {9, 10}, masked.toFloatArray());
        a.set(a.lt(0f), 0);
        assertEquals(0f, a.getFloat(1, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> a.get(5));
    }

    @Test
    void sortingAndSoftmax() {
        NDArray x = manager.create(new float[] {3, 1, 4, 1.5f, 9, 2}, new Shape(2, 3));
        NDList top = x.topK(2, 1);
        assertArrayEquals(new float[] {4, 3, 9, 2}, top.get(0).toFloatArray());
        assertArrayEquals(new long[] {2, 0, 1, 2}, top.get(1).toLongArray());
        assertArrayEquals(new float[] {1, 3, 4, 1.5f, 2, 9}, x.sort().toFloatArray());
        assertArrayEquals(new long[] {2, 0, 1, 1, 2, 0}, x.argSort(1, false).toLongArray());
        float[] soft = x.softmax(1).toFloatArray();
        double z = Math.exp(3) + Math.exp(1) + Math.exp(4);
        assertEquals(Math.exp(4) / z, soft[2], 1e-7);
        assertEquals(Math.log(Math.exp(1) / z), x.logSoftmax(1).toFloatArray()[1], 1e-6);
    }

    @Test
    void typesRoundTrip() {
        NDArray x = manager.create(new float[] {1.1f, -2.5f, 65504f, 1e-8f});
        NDArray half = x.toType(DataType.FLOAT16, false);
        assertArrayEquals(new float[] {Float.float16ToFloat(Float.floatToFloat16(1.1f)), -2.5f, 65504f, 0f},
                half.toType(DataType.FLOAT32, false).toFloatArray());
        NDArray bf = x.toType(DataType.BFLOAT16, false);
        assertEquals(1.1015625f, bf.toType(DataType.FLOAT32, false).toFloatArray()[0]);
        assertArrayEquals(new int[] {1, -2, 65504, 0}, x.toType(DataType.INT32, false).toIntArray());
        assertArrayEquals(new byte[] {1, 1, 1, 1}, x.toType(DataType.BOOLEAN, false).toByteArray());
        assertArrayEquals(new int[] {255}, manager.create(new int[] {-1}).toType(DataType.UINT8, false).toUint8Array());
        assertArrayEquals(new long[] {Long.MAX_VALUE}, manager.create(new long[] {Long.MAX_VALUE}).add(0L).toLongArray());
        assertThrows(UnsupportedOperationException.class, () -> manager.zeros(new Shape(2), DataType.INT16));
    }

    @Test
    void creation() {
        assertArrayEquals(new int[] {2, 5, 8}, manager.arange(2, 10, 3).toIntArray());
        assertArrayEquals(new int[] {5, 3}, manager.arange(5, 1, -2).toIntArray());
        assertArrayEquals(new float[] {0, 0.25f, 0.5f, 0.75f, 1}, manager.linspace(0, 1, 5).toFloatArray());
        assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0}, manager.eye(2, 3, 0).toFloatArray());
        assertArrayEquals(new float[] {7, 7}, manager.full(new Shape(2), 7f).toFloatArray());
        assertArrayEquals(new float[] {0, 0}, manager.ones(new Shape(2)).zerosLike().toFloatArray());
        Engine.getEngine("GPTQ").setRandomSeed(7);
        float[] first = manager.randomUniform(0, 1, new Shape(5)).toFloatArray();
        Engine.getEngine("GPTQ").setRandomSeed(7);
        assertArrayEquals(first, manager.randomUniform(0, 1, new Shape(5)).toFloatArray());
        for (float f : first) {
            assertTrue(f >= 0 && f < 1);
        }
        NDArray oneHot = manager.create(new int[] {2, 0}).oneHot(3);
        assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0}, oneHot.toFloatArray());
        NDArray where = NDArrays.where(manager.create(new boolean[] {true, false}),
                manager.create(new float[] {1, 2}), manager.create(new float[] {-1, -2}));
        assertArrayEquals(new float[] {1, -2}, where.toFloatArray());
    }
}
