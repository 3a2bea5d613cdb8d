package ai.djl.gptq.tests.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.modality.nlp.generate.StepGeneration;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the same NDArray call sequences on the GPTQ engine and on DJL's PyTorch engine and compares the results
 * element-wise, with their shapes and data types: broadcasting, transposed (non-contiguous in PyTorch) inputs, odd
 * sizes, the stored dtypes, indexing, reductions, batched matMul, softmax, topK and TextGenerator's step ops.
 *
 * <p>Not compared: bfloat16 (DJL's PyTorch engine aborts the JVM on it) and float16 {@code max(axes)} (same); the
 * unit tests of gptq-engine cover both against hand-computed values.
 */
class OpConformanceTest {

    private static NDManager gptq;
    private static NDManager torch;

    @BeforeAll
    static void open() {
        gptq = Engine.getEngine("GPTQ").newBaseManager();
        torch = Engine.getEngine("PyTorch").newBaseManager();
    }

    @AfterAll
    static void close() {
        gptq.close();
        torch.close();
    }

    /** One call sequence, given a manager of the engine under test; it returns the arrays to compare. */
    private interface Case extends Function<NDManager, NDList> {}

    private static float[] values(int n, long seed) {
        Random random = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * 2);
        }
        return v;
    }

    private static NDArray rand(NDManager m, long seed, long... shape) {
        return m.create(values((int) new Shape(shape).size(), seed), new Shape(shape));
    }

    private static NDArray half(NDManager m, long seed, long... shape) {
        return rand(m, seed, shape).toType(DataType.FLOAT16, false);
    }

    private static NDArray ints(NDManager m, long seed, long... shape) {
        Random random = new Random(seed);
        int[] v = new int[(int) new Shape(shape).size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextInt(21) - 10;
        }
        return m.create(v, new Shape(shape));
    }

    private static Map<String, Case> cases() {
        Map<String, Case> c = new LinkedHashMap<>();
        c.put("add broadcast [3,1,5]+[4,5]", m -> new NDList(rand(m, 1, 3, 1, 5).add(rand(m, 2, 4, 5))));
        c.put("sub/mul/div/pow broadcast", m -> {
            NDArray a = rand(m, 3, 2, 3, 4);
            NDArray b = rand(m, 4, 3, 1);
            return new NDList(a.sub(b), a.mul(b), a.div(b), a.abs().pow(b), a.maximum(b), a.minimum(b));
        });
        c.put("scalar forms", m -> {
            NDArray a = rand(m, 5, 7, 3);
            return new NDList(a.add(2.5f), a.sub(1), a.mul(-3f), a.div(0.7f), a.pow(2), a.mod(1.5f),
                    NDArrays.sub(1f, a), NDArrays.div(2f, a), a.maximum(0.5f), a.clip(-1, 1));
        });
        c.put("transposed inputs", m -> {
            NDArray a = rand(m, 6, 5, 3).transpose();
            NDArray b = rand(m, 7, 3, 4, 5).transpose(1, 0, 2);
            return new NDList(a.add(rand(m, 8, 3, 5)), b.mul(2f), a.matMul(rand(m, 9, 5, 2)), b.sum(new int[] {2}),
                    a.swapAxes(0, 1).exp(), a.flatten());
        });
        c.put("unary", m -> {
            NDArray a = rand(m, 10, 4, 6);
            NDArray pos = a.abs().add(0.1f);
            return new NDList(a.exp(), pos.log(), pos.sqrt(), a.tanh(), a.neg(), a.abs(), a.sin(), a.cos(),
                    a.floor(), a.ceil(), a.round(), a.sign(), a.square(), a.erf(), a.atan(), pos.log2(),
                    a.getNDArrayInternal().sigmoid(), a.getNDArrayInternal().relu(), a.getNDArrayInternal().gelu());
        });
        c.put("comparisons and logic", m -> {
            NDArray a = ints(m, 11, 3, 4);
            NDArray b = ints(m, 12, 4);
            NDArray gt = a.gt(b);
            NDArray eq = a.eq(0);
            return new NDList(gt, a.gte(b), a.lt(2), a.lte(b), eq, a.neq(b), gt.logicalAnd(eq), gt.logicalOr(eq),
                    gt.logicalXor(eq), gt.logicalNot(), rand(m, 13, 5).isNaN());
        });
        c.put("integer arithmetic", m -> {
            NDArray a = ints(m, 14, 3, 5);
            NDArray b = ints(m, 15, 5).abs().add(1);
            NDArray longs = a.toType(DataType.INT64, false);
            return new NDList(a.add(b), a.sub(7), a.mul(b), a.div(b), a.mod(b), a.mod(-3), a.sum(), longs.add(a),
                    a.add(0.5f), a.maximum(b), a.neg(), a.abs(), a.sum(new int[] {1}), a.prod(new int[] {0}),
                    a.matMul(ints(m, 16, 5, 2)));
        });
        c.put("float16 add", m -> new NDList(half(m, 17, 3, 8).add(half(m, 18, 8))));
        c.put("float16 mul", m -> new NDList(half(m, 17, 3, 8).mul(1.5f)));
        c.put("float16 div", m -> new NDList(half(m, 17, 3, 8).div(half(m, 18, 8))));
        c.put("float16 exp", m -> new NDList(half(m, 17, 3, 8).exp()));
        c.put("float16 sum", m -> new NDList(half(m, 17, 3, 8).sum(new int[] {1})));
        c.put("float16 softmax", m -> new NDList(half(m, 17, 3, 8).softmax(-1)));
        c.put("float16 matMul", m -> new NDList(half(m, 17, 3, 8).matMul(half(m, 19, 8, 4))));
        c.put("float16 mixed", m -> new NDList(half(m, 17, 3, 8).add(rand(m, 20, 8))));
        c.put("float16 cast", m -> new NDList(half(m, 17, 3, 8).toType(DataType.FLOAT32, false)));
        c.put("int8, uint8, boolean", m -> {
            NDArray a = ints(m, 22, 2, 5).toType(DataType.INT8, false);
            NDArray u = ints(m, 23, 2, 5).abs().toType(DataType.UINT8, false);
            NDArray flags = a.gt(0);
            return new NDList(a.add(a), a.mul(3), u.add(u), u.sum(), flags.add(flags.toType(DataType.INT32, false)),
                    flags.sum(), a.toType(DataType.FLOAT32, false), flags.toType(DataType.FLOAT32, false),
                    rand(m, 24, 6).mul(50f).toType(DataType.INT32, false));
        });
        c.put("reductions", m -> {
            NDArray a = rand(m, 25, 3, 4, 5);
            return new NDList(a.sum(), a.sum(new int[] {0, 2}), a.sum(new int[] {1}, true), a.mean(),
                    a.mean(new int[] {2}), a.max(), a.max(new int[] {1}), a.min(new int[] {0}, true), a.prod(new int[] {2}),
                    a.argMax(), a.argMax(1), a.argMin(-1), a.cumSum(1), a.sum(new int[] {-1}, true));
        });
        c.put("matMul batched and broadcast", m -> new NDList(
                rand(m, 26, 7, 13).matMul(rand(m, 27, 13, 9)),
                rand(m, 28, 2, 1, 3, 5).matMul(rand(m, 29, 4, 5, 6)),
                rand(m, 30, 5).matMul(rand(m, 31, 2, 5, 3)),
                rand(m, 32, 2, 3, 5).matMul(rand(m, 33, 5)),
                rand(m, 34, 11).dot(rand(m, 35, 11)),
                rand(m, 36, 3, 4, 5).batchMatMul(rand(m, 37, 3, 5, 2)),
                rand(m, 38, 1, 8).matMul(rand(m, 39, 8, 1))));
        c.put("softmax", m -> {
            NDArray a = rand(m, 40, 3, 7, 5);
            return new NDList(a.softmax(1), a.softmax(-1), a.logSoftmax(2), a.logSoftmax(0));
        });
        c.put("topK and sorting", m -> {
            NDArray a = rand(m, 41, 4, 9);
            NDList top = a.topK(3, -1);
            NDList bottom = a.topK(2, 0, false, true);
            return new NDList(top.get(0), top.get(1), bottom.get(0), bottom.get(1), a.sort(), a.sort(0),
                    a.argSort(1), a.argSort(0, false));
        });
        c.put("shape ops", m -> {
            NDArray a = rand(m, 42, 2, 3, 4);
            return new NDList(a.reshape(-1, 6), a.reshape(4, -1), a.expandDims(1), a.expandDims(-1),
                    a.expandDims(0).squeeze(0), a.reshape(2, 1, 12).squeeze(), a.flatten(), a.transpose(2, 0, 1),
                    a.swapAxes(0, 2), a.flip(1), a.broadcast(3, 2, 3, 4), a.flatten(1, 2));
        });
        c.put("concat, stack, split", m -> {
            NDArray a = rand(m, 43, 2, 3);
            NDArray b = rand(m, 44, 2, 3);
            NDList parts = rand(m, 45, 6, 4).split(new long[] {1, 4}, 0);
            return new NDList(NDArrays.concat(new NDList(a, b)), NDArrays.concat(new NDList(a, b, a), 1),
                    NDArrays.stack(new NDList(a, b)), NDArrays.stack(new NDList(a, b), 2), a.concat(b, -1),
                    parts.get(0), parts.get(1), parts.get(2));
        });
        c.put("repeat and tile", m -> {
            NDArray a = rand(m, 46, 2, 3);
            return new NDList(a.repeat(0, 3), a.repeat(1, 2), a.repeat(2), a.tile(2), a.tile(new long[] {2, 1}),
                    a.tile(new long[] {2, 1, 3}));
        });
        c.put("where, oneHot, like", m -> {
            NDArray a = rand(m, 47, 3, 4);
            NDArray ids = m.create(new long[] {2, 0, 4});
            return new NDList(NDArrays.where(a.gt(0f), a, a.neg()), NDArrays.where(a.gt(0f), a, m.zeros(new Shape(4))),
                    ids.oneHot(5), a.zerosLike(), a.onesLike(), a.duplicate());
        });
        c.put("indexing get", m -> {
            NDArray a = rand(m, 48, 4, 5, 6);
            NDArray idx = m.create(new long[] {3, 0, 2});
            return new NDList(a.get(1), a.get(":, 1:4"), a.get("..., -1"), a.get("1, ::2"), a.get(":, -1, :"),
                    a.get("2:, 1, 3:"), a.get(new NDIndex("{}", idx)), a.get(a.gt(1f)), a.get(":, {}", idx),
                    a.get("-1"), a.get(new NDIndex().addAllDim().addAllDim()
                            .addPickDim(m.create(new long[20], new Shape(4, 5, 1)))),
                    a.gather(m.zeros(new Shape(4, 5, 2), DataType.INT64).add(3L), 2));
        });
        c.put("indexing set", m -> {
            NDArray a = rand(m, 49, 4, 5);
            a.set(new NDIndex("1"), 7f);
            a.set(new NDIndex(":, 2"), rand(m, 50, 4));
            a.set(new NDIndex("2:, 3:"), rand(m, 51, 2, 2));
            a.set(new NDIndex("0, ::2"), m.create(new float[] {1, 2, 3}));
            NDArray b = rand(m, 52, 3, 3);
            b.set(b.lt(0f), 0);
            NDArray c2 = rand(m, 53, 2, 2);
            c2.setScalar(new NDIndex(1, 0), 42f);
            return new NDList(a, b, c2);
        });
        c.put("in-place ops", m -> {
            NDArray a = rand(m, 54, 3, 4);
            a.addi(rand(m, 55, 4)).muli(2f).subi(rand(m, 56, 3, 1)).divi(3f);
            NDArray b = rand(m, 57, 5).abs().add(1f);
            b.powi(2f).negi();
            NDArray ints = ints(m, 58, 6);
            ints.addi(3).muli(ints(m, 59, 6));
            return new NDList(a, b, ints);
        });
        c.put("creation", m -> new NDList(m.arange(0, 10, 3, DataType.INT64), m.arange(2f, 5f, 0.5f),
                m.arange(7), m.eye(3, 4, 0), m.linspace(-1, 1, 7), m.full(new Shape(2, 2), 3.5f),
                m.ones(new Shape(3), DataType.INT64), m.zeros(new Shape(2, 3), DataType.FLOAT16)));
        c.put("TextGenerator greedy loop", m -> {
            NDList out = new NDList();
            NDArray inputIds = m.create(new long[] {5, 9, 2, 7, 1, 3}, new Shape(2, 3));
            NDArray attention = m.ones(new Shape(2, 3), DataType.INT64);
            NDArray embedding = rand(m, 62, 11, 8);
            NDArray head = rand(m, 63, 8, 11);
            for (int step = 0; step < 4; step++) {
                NDArray hidden = embedding.get(new NDIndex("{}", inputIds.flatten()))
                        .reshape(inputIds.getShape().get(0), inputIds.getShape().get(1), 8);
                NDArray logits = hidden.tanh().matMul(head);
                NDArray next = StepGeneration.greedyStepGen(logits);
                inputIds = NDArrays.concat(new NDList(inputIds, next), 1);
                attention = attention.concat(m.ones(new Shape(2, 1), DataType.INT64), 1);
                NDArray offsets = m.create(new long[] {0, 1});
                NDArray positions = m.arange(0, (int) inputIds.getShape().get(1), 1, DataType.INT64)
                        .expandDims(0).repeat(0, 2);
                positions = positions.subi(offsets.reshape(-1, 1).repeat(0, 1));
                positions = positions.maximum(positions.zerosLike());
                NDList top = logits.get(":, -1, :").softmax(1).topK(3, -1, true, true);
                out.add(next);
                out.add(positions);
                out.add(top.get(0));
                out.add(top.get(1));
            }
            out.add(inputIds);
            out.add(attention);
            return out;
        });
        return c;
    }

    @TestFactory
    Stream<DynamicTest> sameResultsAsPyTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, Case> e : cases().entrySet()) {
            tests.add(DynamicTest.dynamicTest(e.getKey(), () -> compare(e.getKey(), e.getValue())));
        }
        return tests.stream();
    }

    private static void compare(String name, Case c) {
        try (NDManager g = gptq.newSubManager(); NDManager t = torch.newSubManager()) {
            NDList expected = c.apply(t);
            NDList actual = c.apply(g);
            assertEquals(expected.size(), actual.size(), name);
            for (int i = 0; i < expected.size(); i++) {
                NDArray e = expected.get(i);
                NDArray a = actual.get(i);
                String where = name + " #" + i;
                assertEquals("GPTQ", a.getManager().getEngine().getEngineName(), where + " ran on the GPTQ engine");
                assertEquals(e.getShape(), a.getShape(), where + " shape");
                assertEquals(e.getDataType(), a.getDataType(), where + " dtype");
                assertValues(where, e, a);
            }
        }
    }

    private static void assertValues(String where, NDArray expected, NDArray actual) {
        DataType type = expected.getDataType();
        if (!type.isFloating()) {
            assertArrayEquals(expected.toType(DataType.INT64, false).toLongArray(),
                    actual.toType(DataType.INT64, false).toLongArray(), where);
            return;
        }
        double[] e = expected.toType(DataType.FLOAT64, false).toDoubleArray();
        double[] a = actual.toType(DataType.FLOAT64, false).toDoubleArray();
        double tolerance = switch (type) {
            case FLOAT16 -> 1e-3;
            case BFLOAT16 -> 8e-3;
            default -> 2e-6;
        };
        for (int i = 0; i < e.length; i++) {
            if (Double.isNaN(e[i])) {
                assertTrue(Double.isNaN(a[i]), where + " element " + i + " should be NaN, got " + a[i]);
                continue;
            }
            double limit = tolerance * Math.max(1, Math.abs(e[i]));
            assertTrue(Math.abs(e[i] - a[i]) <= limit,
                    where + " element " + i + ": PyTorch " + e[i] + ", GPTQ " + a[i]);
        }
    }
}
