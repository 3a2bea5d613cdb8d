package ai.djl.gptq.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.gptq.quant.QuantizedLinear;
import ai.djl.gptq.tensor.Dense;
import ai.djl.gptq.tensor.Elements;
import ai.djl.gptq.tensor.Elementwise;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.util.RandomUtils;
import java.lang.foreign.MemorySegment;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The memory scope of the {@value GptqEngine#ENGINE_NAME} engine. Arrays live on the Java heap and are freed by
 * the garbage collector once their manager is closed and nothing references them; a manager owns its sub-managers
 * and arrays through {@link BaseNDManager}'s attach/detach bookkeeping.
 */
public class GptqNDManager extends BaseNDManager {

    private static final GptqNDManager SYSTEM_MANAGER = new SystemManager();

    private GptqNDManager(NDManager parent, Device device) {
        super(parent, device);
    }

    static GptqNDManager getSystemManager() {
        return SYSTEM_MANAGER;
    }

    @Override
    public ByteBuffer allocateDirect(int capacity) {
        return ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
    }

    /** {@code array} itself when it belongs to this engine, else a copy of its data in this manager. */
    @Override
    public NDArray from(NDArray array) {
        if (array == null || array instanceof GptqNDArray || array instanceof QuantizedNDArray) {
            return array;
        }
        GptqNDArray result = create(array.toByteBuffer(), array.getShape(), array.getDataType());
        result.setName(array.getName());
        return result;
    }

    @Override
    public GptqNDArray create(Buffer data, Shape shape, DataType dataType) {
        Elements.requireSupported(dataType);
        int size = Math.toIntExact(shape.size());
        BaseNDManager.validateBuffer(data, dataType, size);
        ByteBuffer bytes;
        if (data instanceof ByteBuffer bb) {
            bytes = bb.duplicate();
        } else {
            bytes = ByteBuffer.allocate(size * dataType.getNumOfBytes()).order(ByteOrder.nativeOrder());
            BaseNDManager.copyBuffer(data, bytes);
        }
        Dense dense = Dense.zeros(dataType, shape.getShape());
        long byteCount = dense.data().byteSize();
        MemorySegment.copy(MemorySegment.ofBuffer(bytes), 0, dense.data(), 0, byteCount);
        return create(dense);
    }

    /**
     * An array over {@code data} without copying it, e.g. a tensor of a mapped checkpoint file; the caller keeps
     * the segment alive (and unchanged, unless writes through the array are intended) while the array is used.
     */
    public GptqNDArray wrap(MemorySegment data, Shape shape, DataType dataType) {
        return create(new Dense(dataType, shape.getShape(), data));
    }

    /** A packed quantized weight {@code [K, N]} over {@code weight}; it supports only matMul and toFloatArray. */
    public QuantizedNDArray createQuantized(QuantizedLinear weight) {
        return new QuantizedNDArray(this, weight);
    }

    /** An array owning {@code dense}, attached to this manager. */
    GptqNDArray create(Dense dense) {
        return new GptqNDArray(this, alternativeManager, dense);
    }

    @Override
    public NDArray create(Shape shape, DataType dataType) {
        return zeros(shape, dataType);
    }

    @Override
    public GptqNDArray zeros(Shape shape, DataType dataType) {
        return create(Dense.zeros(Elements.requireSupported(dataType), shape.getShape()));
    }

    @Override
    public GptqNDArray ones(Shape shape, DataType dataType) {
        return full(shape, 1, dataType);
    }

    @Override
    public GptqNDArray full(Shape shape, float value, DataType dataType) {
        return create(Elementwise.full(Elements.requireSupported(dataType), shape.getShape(), value));
    }

    @Override
    public GptqNDArray full(Shape shape, int value) {
        return create(Elementwise.full(DataType.INT32, shape.getShape(), value));
    }

    @Override
    public GptqNDArray arange(int start, int stop, int step, DataType dataType) {
        Elements.requireSupported(dataType);
        if (step == 0) {
            throw new IllegalArgumentException("arange step must not be 0");
        }
        long count = Math.max(0, ((long) stop - start + step + (step > 0 ? -1 : 1)) / step);
        Dense out = Dense.zeros(dataType, new long[] {count});
        for (long i = 0; i < count; i++) {
            out.setLong(i, start + i * step);
        }
        return create(out);
    }

    @Override
    public GptqNDArray arange(float start, float stop, float step, DataType dataType) {
        Elements.requireSupported(dataType);
        if (step == 0) {
            throw new IllegalArgumentException("arange step must not be 0");
        }
        long count = (long) Math.max(0, Math.ceil(((double) stop - start) / step));
        Dense out = Dense.zeros(dataType, new long[] {count});
        for (long i = 0; i < count; i++) {
            out.setDouble(i, start + i * (double) step);
        }
        return create(out);
    }

    @Override
    public GptqNDArray eye(int rows, int cols, int k, DataType dataType) {
        Dense out = Dense.zeros(Elements.requireSupported(dataType), new long[] {rows, cols});
        for (int r = 0; r < rows; r++) {
            int c = r + k;
            if (c >= 0 && c < cols) {
                out.setLong((long) r * cols + c, 1);
            }
        }
        return create(out);
    }

    @Override
    public GptqNDArray linspace(float start, float stop, int num, boolean endpoint) {
        if (num < 0) {
            throw new IllegalArgumentException("linspace needs num >= 0, got " + num);
        }
        Dense out = Dense.zeros(DataType.FLOAT32, new long[] {num});
        int divisions = endpoint ? num - 1 : num;
        double step = divisions > 0 ? ((double) stop - start) / divisions : 0;
        for (int i = 0; i < num; i++) {
            out.setDouble(i, start + i * step);
        }
        if (endpoint && num > 1) {
            out.setDouble(num - 1, stop);
        }
        return create(out);
    }

    @Override
    public GptqNDArray randomInteger(long low, long high, Shape shape, DataType dataType) {
        if (high <= low) {
            throw new IllegalArgumentException("randomInteger needs low < high, got " + low + ", " + high);
        }
        Dense out = Dense.zeros(Elements.requireSupported(dataType), shape.getShape());
        for (long i = 0; i < out.size(); i++) {
            out.setLong(i, RandomUtils.RANDOM.nextLong(low, high));
        }
        return create(out);
    }

    @Override
    public GptqNDArray randomUniform(float low, float high, Shape shape, DataType dataType) {
        Dense out = Dense.zeros(Elements.requireSupported(dataType), shape.getShape());
        for (long i = 0; i < out.size(); i++) {
            out.setDouble(i, low + (high - (double) low) * RandomUtils.RANDOM.nextDouble());
        }
        return create(out);
    }

    @Override
    public GptqNDArray randomNormal(float loc, float scale, Shape shape, DataType dataType) {
        Dense out = Dense.zeros(Elements.requireSupported(dataType), shape.getShape());
        for (long i = 0; i < out.size(); i++) {
            out.setDouble(i, loc + scale * RandomUtils.RANDOM.nextGaussian());
        }
        return create(out);
    }

    @Override
    public GptqNDManager newSubManager(Device device) {
        GptqNDManager manager = new GptqNDManager(this, device);
        attachUncappedInternal(manager.uid, manager);
        return manager;
    }

    @Override
    public final Engine getEngine() {
        return Engine.getEngine(GptqEngine.ENGINE_NAME);
    }

    @Override
    public void close() {
        super.close();
        if (alternativeManager != null) {
            alternativeManager.close();
            alternativeManager = null;
        }
    }

    /** The root manager: never closed, parent of every base manager. */
    private static final class SystemManager extends GptqNDManager implements NDManager.SystemNDManager {

        SystemManager() {
            super(null, null);
        }

        @Override
        public void close() {}
    }
}
