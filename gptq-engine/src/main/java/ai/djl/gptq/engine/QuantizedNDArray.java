package ai.djl.gptq.engine;

import ai.djl.Device;
import ai.djl.gptq.kernel.Kernels;
import ai.djl.gptq.kernel.PackedMatrix;
import ai.djl.gptq.quant.QuantizedLinear;
import ai.djl.gptq.quant.ReferenceDequantizer;
import ai.djl.gptq.tensor.Dense;
import ai.djl.gptq.tensor.Elements;
import ai.djl.gptq.tensor.TypePromotion;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.util.Arrays;

/**
 * A packed quantized weight as an NDArray: logically the FLOAT16 matrix {@code W [K, N]} of a
 * {@link QuantizedLinear} (bias excluded), physically its packed words. {@code x.matMul(w)} runs the project's
 * lazy-dequantizing kernel and never builds {@code W}; {@link #toFloatArray()} dequantizes on request. Every other
 * op throws, so a packed weight can never be copied into another engine by DJL's delegation.
 *
 * <p>The kernel's repacked form is built on the first matMul. The source {@link QuantizedLinear} is kept for
 * {@link #toFloatArray()}; its words are usually a mapped view of the checkpoint file.
 */
public final class QuantizedNDArray implements NDArray {

    private static final String MESSAGE =
            "packed quantized weight supports only matMul and toFloatArray (engine GPTQ)";

    private final String uid;
    private final Shape shape;
    private final QuantizedLinear weight;
    private NDManager manager;
    private String name;
    private volatile PackedMatrix packed;
    private boolean closed;

    QuantizedNDArray(GptqNDManager manager, QuantizedLinear linear) {
        this.uid = NDManager.nextUid();
        this.manager = manager;
        this.shape = new Shape(linear.inFeatures(), linear.outFeatures());
        this.weight = linear.bias() == null ? linear : new QuantizedLinear(linear.name(), linear.bits(),
                linear.inFeatures(), linear.outFeatures(), linear.groupSize(), linear.qweight(), linear.scales(),
                linear.zeros(), linear.groupIndex(), null);
        this.name = linear.name();
        manager.attachInternal(uid, this);
    }

    static UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException(MESSAGE);
    }

    /** The quantized layer this array views (without its bias). */
    public QuantizedLinear weight() {
        return weight;
    }

    /** {@code x @ W} for {@code x} of shape {@code [K]} or {@code [..., M, K]}, computed by the packed kernel. */
    Dense multiply(Dense x) {
        checkOpen();
        int k = weight.inFeatures();
        int n = weight.outFeatures();
        if (x.rank() == 0 || x.shape()[x.rank() - 1] != k) {
            throw new IllegalArgumentException("matMul of shape " + Arrays.toString(x.shape())
                    + " with a packed weight of shape " + shape + ": the last dimension must be " + k);
        }
        int rows = Math.toIntExact(x.size() / k);
        float[] input = new float[Math.multiplyExact(rows, k)];
        Elements.readFloats(x.data(), x.type(), 0, input, 0, input.length);
        float[] output = new float[Math.multiplyExact(rows, n)];
        Kernels.best().matmul(input, rows, packed(), output);
        long[] outShape = x.shape().clone();
        outShape[outShape.length - 1] = n;
        Dense out = Dense.zeros(TypePromotion.promote(x.type(), DataType.FLOAT16), outShape);
        Elements.writeFloats(output, 0, out.data(), out.type(), 0, output.length);
        return out;
    }

    private PackedMatrix packed() {
        PackedMatrix p = packed;
        if (p == null) {
            synchronized (this) {
                p = packed;
                if (p == null) {
                    p = PackedMatrix.pack(weight);
                    packed = p;
                }
            }
        }
        return p;
    }

    /** {@code W} dequantized to {@code [K * N]} floats, row-major. */
    @Override
    public float[] toFloatArray() {
        checkOpen();
        return ReferenceDequantizer.dequantize(weight);
    }

    /** A packed weight cannot be the left operand: use {@code x.matMul(w)}. */
    @Override
    public NDArray matMul(NDArray other) {
        throw new UnsupportedOperationException(MESSAGE + "; it must be the right operand of x.matMul(w)");
    }

    @Override
    public NDManager getManager() {
        return manager;
    }

    @Override
    public void attach(NDManager target) {
        detach();
        manager = target;
        target.attachInternal(uid, this);
    }

    @Override
    public void tempAttach(NDManager target) {
        NDManager original = manager;
        detach();
        manager = target;
        target.tempAttachInternal(original, uid, this);
    }

    @Override
    public void detach() {
        manager.detachInternal(uid);
        manager = GptqNDManager.getSystemManager();
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public void setName(String name) {
        this.name = name;
    }

    @Override
    public String getUid() {
        return uid;
    }

    @Override
    public DataType getDataType() {
        return DataType.FLOAT16;
    }

    @Override
    public Device getDevice() {
        return manager.getDevice();
    }

    @Override
    public Shape getShape() {
        return shape;
    }

    @Override
    public SparseFormat getSparseFormat() {
        return SparseFormat.DENSE;
    }

    @Override
    public boolean hasGradient() {
        return false;
    }

    @Override
    public boolean isReleased() {
        return closed;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.detachInternal(uid);
            packed = null;
        }
    }

    @Override
    public NDArray duplicate() {
        throw unsupported();
    }

    @Override
    public NDArray zerosLike() {
        throw unsupported();
    }

    @Override
    public NDArray onesLike() {
        throw unsupported();
    }

    @Override
    public NDArray like() {
        throw unsupported();
    }

    @Override
    public NDArray get(ai.djl.ndarray.index.NDIndex index) {
        throw unsupported();
    }

    @Override
    public String toString() {
        return "QuantizedNDArray(" + name + ", " + weight.bits() + "-bit, group " + weight.groupSize()
                + ", logical FLOAT16 " + shape + ")";
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("packed weight " + name + " has been closed");
        }
    }

    @Override
    public NDArray toDevice(Device device, boolean copy) {
        throw unsupported();
    }

    @Override
    public NDArray toType(DataType dataType, boolean copy) {
        throw unsupported();
    }

    @Override
    public void setRequiresGradient(boolean requiresGrad) {
        throw unsupported();
    }

    @Override
    public NDArray getGradient() {
        throw unsupported();
    }

    @Override
    public NDArray stopGradient() {
        throw unsupported();
    }

    @Override
    public ByteBuffer toByteBuffer(boolean tryDirect) {
        throw unsupported();
    }

    @Override
    public String[] toStringArray(Charset charset) {
        throw unsupported();
    }

    @Override
    public void set(Buffer buffer) {
        throw unsupported();
    }

    @Override
    public NDArray gather(NDArray index, int axis) {
        throw unsupported();
    }

    @Override
    public NDArray gatherNd(NDArray index) {
        throw unsupported();
    }

    @Override
    public NDArray take(NDManager manager, NDArray index) {
        throw unsupported();
    }

    @Override
    public NDArray put(NDArray index, NDArray value) {
        throw unsupported();
    }

    @Override
    public NDArray scatter(NDArray index, NDArray value, int axis) {
        throw unsupported();
    }

    @Override
    public NDArray booleanMask(NDArray index, int axis) {
        throw unsupported();
    }

    @Override
    public NDArray sequenceMask(NDArray sequenceLength, float value) {
        throw unsupported();
    }

    @Override
    public NDArray sequenceMask(NDArray sequenceLength) {
        throw unsupported();
    }

    @Override
    public boolean contentEquals(Number number) {
        throw unsupported();
    }

    @Override
    public boolean contentEquals(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray eq(Number n) {
        throw unsupported();
    }

    @Override
    public NDArray eq(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray neq(Number n) {
        throw unsupported();
    }

    @Override
    public NDArray neq(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray gt(Number n) {
        throw unsupported();
    }

    @Override
    public NDArray gt(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray gte(Number n) {
        throw unsupported();
    }

    @Override
    public NDArray gte(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray lt(Number n) {
        throw unsupported();
    }

    @Override
    public NDArray lt(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray lte(Number n) {
        throw unsupported();
    }

    @Override
    public NDArray lte(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray add(Number n) {
        throw unsupported();
    }

    @Override
    public NDArray add(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray sub(Number n) {
        throw unsupported();
    }

    @Override
    public NDArray sub(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray mul(Number n) {
        throw unsupported();
    }

    @Override
    public NDArray mul(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray div(Number n) {
        throw unsupported();
    }

    @Override
    public NDArray div(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray mod(Number n) {
        throw unsupported();
    }

    @Override
    public NDArray mod(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray pow(Number n) {
        throw unsupported();
    }

    @Override
    public NDArray pow(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray xlogy(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray addi(Number n) {
        throw unsupported();
    }

    @Override
    public NDArray addi(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray subi(Number n) {
        throw unsupported();
    }

    @Override
    public NDArray subi(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray muli(Number n) {
        throw unsupported();
    }

    @Override
    public NDArray muli(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray divi(Number n) {
        throw unsupported();
    }

    @Override
    public NDArray divi(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray modi(Number n) {
        throw unsupported();
    }

    @Override
    public NDArray modi(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray powi(Number n) {
        throw unsupported();
    }

    @Override
    public NDArray powi(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray sign() {
        throw unsupported();
    }

    @Override
    public NDArray signi() {
        throw unsupported();
    }

    @Override
    public NDArray maximum(Number n) {
        throw unsupported();
    }

    @Override
    public NDArray maximum(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray minimum(Number n) {
        throw unsupported();
    }

    @Override
    public NDArray minimum(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray neg() {
        throw unsupported();
    }

    @Override
    public NDArray negi() {
        throw unsupported();
    }

    @Override
    public NDArray abs() {
        throw unsupported();
    }

    @Override
    public NDArray square() {
        throw unsupported();
    }

    @Override
    public NDArray sqrt() {
        throw unsupported();
    }

    @Override
    public NDArray cbrt() {
        throw unsupported();
    }

    @Override
    public NDArray floor() {
        throw unsupported();
    }

    @Override
    public NDArray ceil() {
        throw unsupported();
    }

    @Override
    public NDArray round() {
        throw unsupported();
    }

    @Override
    public NDArray trunc() {
        throw unsupported();
    }

    @Override
    public NDArray exp() {
        throw unsupported();
    }

    @Override
    public NDArray gammaln() {
        throw unsupported();
    }

    @Override
    public NDArray log() {
        throw unsupported();
    }

    @Override
    public NDArray log10() {
        throw unsupported();
    }

    @Override
    public NDArray log2() {
        throw unsupported();
    }

    @Override
    public NDArray sin() {
        throw unsupported();
    }

    @Override
    public NDArray cos() {
        throw unsupported();
    }

    @Override
    public NDArray tan() {
        throw unsupported();
    }

    @Override
    public NDArray asin() {
        throw unsupported();
    }

    @Override
    public NDArray acos() {
        throw unsupported();
    }

    @Override
    public NDArray atan() {
        throw unsupported();
    }

    @Override
    public NDArray atan2(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray sinh() {
        throw unsupported();
    }

    @Override
    public NDArray cosh() {
        throw unsupported();
    }

    @Override
    public NDArray tanh() {
        throw unsupported();
    }

    @Override
    public NDArray asinh() {
        throw unsupported();
    }

    @Override
    public NDArray acosh() {
        throw unsupported();
    }

    @Override
    public NDArray atanh() {
        throw unsupported();
    }

    @Override
    public NDArray toDegrees() {
        throw unsupported();
    }

    @Override
    public NDArray toRadians() {
        throw unsupported();
    }

    @Override
    public NDArray max() {
        throw unsupported();
    }

    @Override
    public NDArray max(int[] axes, boolean keepDims) {
        throw unsupported();
    }

    @Override
    public NDArray min() {
        throw unsupported();
    }

    @Override
    public NDArray min(int[] axes, boolean keepDims) {
        throw unsupported();
    }

    @Override
    public NDArray sum() {
        throw unsupported();
    }

    @Override
    public NDArray sum(int[] axes, boolean keepDims) {
        throw unsupported();
    }

    @Override
    public NDArray cumProd(int axis) {
        throw unsupported();
    }

    @Override
    public NDArray cumProd(int axis, DataType dataType) {
        throw unsupported();
    }

    @Override
    public NDArray prod() {
        throw unsupported();
    }

    @Override
    public NDArray prod(int[] axes, boolean keepDims) {
        throw unsupported();
    }

    @Override
    public NDArray mean() {
        throw unsupported();
    }

    @Override
    public NDArray mean(int[] axes, boolean keepDims) {
        throw unsupported();
    }

    @Override
    public NDArray normalize(double exponent, long dim, double eps) {
        throw unsupported();
    }

    @Override
    public NDArray rotate90(int times, int[] axes) {
        throw unsupported();
    }

    @Override
    public NDArray trace(int offset, int axis1, int axis2) {
        throw unsupported();
    }

    @Override
    public NDList split(long[] indices, int axis) {
        throw unsupported();
    }

    @Override
    public NDArray flatten() {
        throw unsupported();
    }

    @Override
    public NDArray flatten(int startDim, int endDim) {
        throw unsupported();
    }

    @Override
    public NDArray fft(long length, long axis) {
        throw unsupported();
    }

    @Override
    public NDArray ifft(long length, long axis) {
        throw unsupported();
    }

    @Override
    public NDArray rfft(long length, long axis) {
        throw unsupported();
    }

    @Override
    public NDArray irfft(long length, long axis) {
        throw unsupported();
    }

    @Override
    public NDArray stft(long nFft, long hopLength, boolean center, NDArray window, boolean normalize, boolean returnComplex) {
        throw unsupported();
    }

    @Override
    public NDArray fft2(long[] sizes, long[] axes) {
        throw unsupported();
    }

    @Override
    public NDArray ifft2(long[] sizes, long[] axes) {
        throw unsupported();
    }

    @Override
    public NDArray pad(Shape padding, double value) {
        throw unsupported();
    }

    @Override
    public NDArray reshape(Shape shape) {
        throw unsupported();
    }

    @Override
    public NDArray expandDims(int axis) {
        throw unsupported();
    }

    @Override
    public NDArray squeeze(int[] axes) {
        throw unsupported();
    }

    @Override
    public NDList unique(Integer dim, boolean sorted, boolean returnInverse, boolean returnCounts) {
        throw unsupported();
    }

    @Override
    public NDArray logicalAnd(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray logicalOr(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray logicalXor(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray logicalNot() {
        throw unsupported();
    }

    @Override
    public NDArray argSort(int axis, boolean ascending) {
        throw unsupported();
    }

    @Override
    public NDArray sort() {
        throw unsupported();
    }

    @Override
    public NDArray sort(int axis) {
        throw unsupported();
    }

    @Override
    public NDArray softmax(int axis) {
        throw unsupported();
    }

    @Override
    public NDArray logSoftmax(int axis) {
        throw unsupported();
    }

    @Override
    public NDArray cumSum() {
        throw unsupported();
    }

    @Override
    public NDArray cumSum(int axis) {
        throw unsupported();
    }

    @Override
    public NDArray diagonal() {
        throw unsupported();
    }

    @Override
    public NDArray diagonal(int offset) {
        throw unsupported();
    }

    @Override
    public NDArray diagonal(int offset, int axis1, int axis2) {
        throw unsupported();
    }

    @Override
    public void intern(NDArray replaced) {
        throw unsupported();
    }

    @Override
    public NDArray isInfinite() {
        throw unsupported();
    }

    @Override
    public NDArray inverse() {
        throw unsupported();
    }

    @Override
    public NDArray isNaN() {
        throw unsupported();
    }

    @Override
    public NDArray tile(long repeats) {
        throw unsupported();
    }

    @Override
    public NDArray tile(int axis, long repeats) {
        throw unsupported();
    }

    @Override
    public NDArray tile(long[] repeats) {
        throw unsupported();
    }

    @Override
    public NDArray tile(Shape desiredShape) {
        throw unsupported();
    }

    @Override
    public NDArray repeat(long repeats) {
        throw unsupported();
    }

    @Override
    public NDArray repeat(int axis, long repeats) {
        throw unsupported();
    }

    @Override
    public NDArray repeat(long[] repeats) {
        throw unsupported();
    }

    @Override
    public NDArray repeat(Shape desiredShape) {
        throw unsupported();
    }

    @Override
    public NDArray dot(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray batchMatMul(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray clip(Number min, Number max) {
        throw unsupported();
    }

    @Override
    public NDArray flip(int... axes) {
        throw unsupported();
    }

    @Override
    public NDArray transpose() {
        throw unsupported();
    }

    @Override
    public NDArray transpose(int... axes) {
        throw unsupported();
    }

    @Override
    public NDArray broadcast(Shape shape) {
        throw unsupported();
    }

    @Override
    public NDArray argMax() {
        throw unsupported();
    }

    @Override
    public NDArray argMax(int axis) {
        throw unsupported();
    }

    @Override
    public NDList topK(int k, int axis, boolean largest, boolean sorted) {
        throw unsupported();
    }

    @Override
    public NDArray argMin() {
        throw unsupported();
    }

    @Override
    public NDArray argMin(int axis) {
        throw unsupported();
    }

    @Override
    public NDArray percentile(Number percentile) {
        throw unsupported();
    }

    @Override
    public NDArray percentile(Number percentile, int[] axes) {
        throw unsupported();
    }

    @Override
    public NDArray median() {
        throw unsupported();
    }

    @Override
    public NDArray median(int[] axes) {
        throw unsupported();
    }

    @Override
    public NDArray toDense() {
        throw unsupported();
    }

    @Override
    public NDArray toSparse(SparseFormat fmt) {
        throw unsupported();
    }

    @Override
    public NDArray nonzero() {
        throw unsupported();
    }

    @Override
    public NDArray erfinv() {
        throw unsupported();
    }

    @Override
    public NDArray erf() {
        throw unsupported();
    }

    @Override
    public NDArrayEx getNDArrayInternal() {
        throw unsupported();
    }

    @Override
    public NDArray norm(boolean keepDims) {
        throw unsupported();
    }

    @Override
    public NDArray norm(int ord, int[] axes, boolean keepDims) {
        throw unsupported();
    }

    @Override
    public NDArray oneHot(int depth, float onValue, float offValue, DataType dataType) {
        throw unsupported();
    }

    @Override
    public NDArray batchDot(NDArray other) {
        throw unsupported();
    }

    @Override
    public NDArray complex() {
        throw unsupported();
    }

    @Override
    public NDArray real() {
        throw unsupported();
    }

    @Override
    public NDArray conj() {
        throw unsupported();
    }

    @Override
    public NDArray diff(int n, int dim) {
        throw unsupported();
    }
}
