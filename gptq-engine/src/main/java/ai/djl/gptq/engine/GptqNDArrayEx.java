package ai.djl.gptq.engine;

import ai.djl.gptq.tensor.BinaryOp;
import ai.djl.gptq.tensor.Dense;
import ai.djl.gptq.tensor.Elementwise;
import ai.djl.gptq.tensor.Layout;
import ai.djl.gptq.tensor.MatMul;
import ai.djl.gptq.tensor.TypePromotion;
import ai.djl.gptq.tensor.UnaryOp;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDArrayIndexer;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.recurrent.RNN;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine's internal ops behind DJL's {@code NDArrays} helpers and blocks: reversed arithmetic, activations,
 * {@code where}, {@code stack}, {@code concat}, indexing, and the inference forms of {@code linear},
 * {@code embedding}, {@code layerNorm} and {@code dropout}. Training, convolution, pooling, recurrent and image ops
 * are not part of this engine and throw {@link UnsupportedOperationException}.
 */
final class GptqNDArrayEx implements NDArrayEx {

    private final GptqNDArray array;

    GptqNDArrayEx(GptqNDArray array) {
        this.array = array;
    }

    @Override
    public NDArray getArray() {
        return array;
    }

    @Override
    public NDArray rdivi(NDArray b) {
        return replaceWith(Elementwise.binary(BinaryOp.DIV, GptqNDArray.operand(b), array.dense()), "rdivi");
    }

    @Override
    public NDArray rmodi(NDArray b) {
        return replaceWith(Elementwise.binary(BinaryOp.MOD, GptqNDArray.operand(b), array.dense()), "rmodi");
    }

    @Override
    public NDArray rpowi(Number n) {
        return replaceWith(Elementwise.binary(BinaryOp.POW, Elementwise.scalar(n), array.dense()), "rpowi");
    }

    @Override
    public NDArray relu() {
        return unary(UnaryOp.RELU);
    }

    @Override
    public NDArray sigmoid() {
        return unary(UnaryOp.SIGMOID);
    }

    @Override
    public NDArray tanh() {
        return unary(UnaryOp.TANH);
    }

    @Override
    public NDArray softPlus() {
        return unary(UnaryOp.SOFTPLUS);
    }

    @Override
    public NDArray softSign() {
        return unary(UnaryOp.SOFTSIGN);
    }

    @Override
    public NDArray leakyRelu(float alpha) {
        Dense x = array.dense();
        Dense negative = Elementwise.binary(BinaryOp.MUL, x, Elementwise.scalar(alpha));
        Dense positive = Elementwise.binary(BinaryOp.GT, x, Elementwise.scalar(0f));
        return array.result(Elementwise.where(positive, x, negative));
    }

    @Override
    public NDArray elu(float alpha) {
        Dense x = array.dense();
        Dense expm1 = Elementwise.binary(BinaryOp.SUB, Elementwise.unary(UnaryOp.EXP, x), Elementwise.scalar(1f));
        Dense negative = Elementwise.binary(BinaryOp.MUL, expm1, Elementwise.scalar(alpha));
        Dense positive = Elementwise.binary(BinaryOp.GT, x, Elementwise.scalar(0f));
        return array.result(Elementwise.where(positive, x, negative));
    }

    @Override
    public NDArray selu() {
        return unary(UnaryOp.SELU);
    }

    @Override
    public NDArray gelu() {
        return unary(UnaryOp.GELU);
    }

    @Override
    public NDArrayIndexer getIndexer(NDManager manager) {
        return new GptqNDArrayIndexer(manager);
    }

    @Override
    public NDArray where(NDArray condition, NDArray other) {
        return array.result(Elementwise.where(GptqNDArray.operand(condition), array.dense(),
                GptqNDArray.operand(other)));
    }

    @Override
    public NDArray stack(NDList arrays, int axis) {
        List<Dense> parts = parts(arrays);
        long[] shape = parts.get(0).shape();
        int a = Layout.normalizeAxis(axis, shape.length + 1);
        List<Dense> expanded = new ArrayList<>(parts.size());
        for (Dense p : parts) {
            if (!java.util.Arrays.equals(p.shape(), shape)) {
                throw new IllegalArgumentException("stack needs arrays of one shape, got "
                        + java.util.Arrays.toString(shape) + " and " + java.util.Arrays.toString(p.shape()));
            }
            long[] dims = new long[shape.length + 1];
            System.arraycopy(shape, 0, dims, 0, a);
            dims[a] = 1;
            System.arraycopy(shape, a, dims, a + 1, shape.length - a);
            expanded.add(p.reshape(dims));
        }
        return array.result(Layout.concat(expanded, a, promotedType(parts)));
    }

    @Override
    public NDArray concat(NDList arrays, int axis) {
        List<Dense> parts = parts(arrays);
        return array.result(Layout.concat(parts, axis, promotedType(parts)));
    }

    @Override
    public NDList linear(NDArray input, NDArray weight, NDArray bias) {
        Dense x = GptqNDArray.operand(input);
        Dense w = GptqNDArray.operand(weight);
        Dense y = MatMul.apply(x, Layout.permute(w, new int[] {1, 0}));
        if (bias != null) {
            y = Elementwise.binary(BinaryOp.ADD, y, GptqNDArray.operand(bias));
        }
        return new NDList(array.result(y));
    }

    @Override
    public NDList embedding(NDArray input, NDArray weight, SparseFormat sparse) {
        if (sparse != SparseFormat.DENSE) {
            throw GptqNDArray.unsupported("sparse embedding");
        }
        Dense ids = GptqNDArray.operand(input);
        Dense table = GptqNDArray.operand(weight);
        Dense rows = Layout.indexSelect(table, 0, ids.reshape(new long[] {ids.size()}));
        long[] shape = java.util.Arrays.copyOf(ids.shape(), ids.rank() + 1);
        shape[ids.rank()] = table.shape()[1];
        return new NDList(array.result(rows.reshape(shape)));
    }

    @Override
    public NDList dropout(NDArray input, float rate, boolean training) {
        if (training) {
            throw GptqNDArray.unsupported("dropout in training");
        }
        return new NDList(input);
    }

    @Override
    public NDList layerNorm(NDArray input, Shape normalizedShape, NDArray gamma, NDArray beta, float eps) {
        NDArray x = input;
        int[] axes = new int[normalizedShape.dimension()];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = x.getShape().dimension() - axes.length + i;
        }
        NDArray mean = x.mean(axes, true);
        NDArray centered = x.sub(mean);
        NDArray variance = centered.square().mean(axes, true);
        NDArray y = centered.div(variance.add(eps).sqrt());
        if (gamma != null) {
            y = y.mul(gamma);
        }
        if (beta != null) {
            y = y.add(beta);
        }
        return new NDList(y);
    }

    @Override
    public NDArray maxPool(Shape kernelShape, Shape stride, Shape padding, boolean ceilMode) {
        throw GptqNDArray.unsupported("maxPool");
    }

    @Override
    public NDArray globalMaxPool() {
        throw GptqNDArray.unsupported("globalMaxPool");
    }

    @Override
    public NDArray avgPool(Shape kernelShape, Shape stride, Shape padding, boolean ceilMode,
            boolean countIncludePad) {
        throw GptqNDArray.unsupported("avgPool");
    }

    @Override
    public NDArray globalAvgPool() {
        throw GptqNDArray.unsupported("globalAvgPool");
    }

    @Override
    public NDArray lpPool(float normType, Shape kernelShape, Shape stride, Shape padding, boolean ceilMode) {
        throw GptqNDArray.unsupported("lpPool");
    }

    @Override
    public NDArray globalLpPool(float normType) {
        throw GptqNDArray.unsupported("globalLpPool");
    }

    @Override
    public void adadeltaUpdate(NDList inputs, NDList weights, float weightDecay, float rescaleGrad, float clipGrad,
            float rho, float epsilon) {
        throw GptqNDArray.unsupported("adadeltaUpdate");
    }

    @Override
    public void adagradUpdate(NDList inputs, NDList weights, float learningRate, float weightDecay,
            float rescaleGrad, float clipGrad, float epsilon) {
        throw GptqNDArray.unsupported("adagradUpdate");
    }

    @Override
    public void adamUpdate(NDList inputs, NDList weights, float learningRate, float learningRateBiasCorrection,
            float weightDecay, float rescaleGrad, float clipGrad, float beta1, float beta2, float epsilon,
            boolean lazyUpdate, boolean adamw) {
        throw GptqNDArray.unsupported("adamUpdate");
    }

    @Override
    public void nagUpdate(NDList inputs, NDList weights, float learningRate, float weightDecay, float rescaleGrad,
            float clipGrad, float momentum) {
        throw GptqNDArray.unsupported("nagUpdate");
    }

    @Override
    public void rmspropUpdate(NDList inputs, NDList weights, float learningRate, float weightDecay,
            float rescaleGrad, float clipGrad, float rho, float momentum, float epsilon, boolean centered) {
        throw GptqNDArray.unsupported("rmspropUpdate");
    }

    @Override
    public void sgdUpdate(NDList inputs, NDList weights, float learningRate, float weightDecay, float rescaleGrad,
            float clipGrad, float momentum, boolean lazyUpdate) {
        throw GptqNDArray.unsupported("sgdUpdate");
    }

    @Override
    public NDList convolution(NDArray input, NDArray weight, NDArray bias, Shape stride, Shape padding,
            Shape dilation, int groups) {
        throw GptqNDArray.unsupported("convolution");
    }

    @Override
    public NDList deconvolution(NDArray input, NDArray weight, NDArray bias, Shape stride, Shape padding,
            Shape outPadding, Shape dilation, int groups) {
        throw GptqNDArray.unsupported("deconvolution");
    }

    @Override
    public NDList prelu(NDArray input, NDArray alpha) {
        throw GptqNDArray.unsupported("prelu");
    }

    @Override
    public NDList batchNorm(NDArray input, NDArray runningMean, NDArray runningVar, NDArray gamma, NDArray beta,
            int axis, float momentum, float eps, boolean training) {
        throw GptqNDArray.unsupported("batchNorm");
    }

    @Override
    public NDList rnn(NDArray input, NDArray state, NDList params, boolean hasBiases, int numLayers,
            RNN.Activation activation, double dropRate, boolean training, boolean bidirectional,
            boolean batchFirst) {
        throw GptqNDArray.unsupported("rnn");
    }

    @Override
    public NDList gru(NDArray input, NDArray state, NDList params, boolean hasBiases, int numLayers,
            double dropRate, boolean training, boolean bidirectional, boolean batchFirst) {
        throw GptqNDArray.unsupported("gru");
    }

    @Override
    public NDList lstm(NDArray input, NDList states, NDList params, boolean hasBiases, int numLayers,
            double dropRate, boolean training, boolean bidirectional, boolean batchFirst) {
        throw GptqNDArray.unsupported("lstm");
    }

    @Override
    public NDArray interpolation(long[] size, int mode, boolean alignCorners) {
        throw GptqNDArray.unsupported("interpolation");
    }

    @Override
    public NDArray resize(int width, int height, int interpolation) {
        throw GptqNDArray.unsupported("resize");
    }

    @Override
    public NDArray randomFlipLeftRight() {
        throw GptqNDArray.unsupported("randomFlipLeftRight");
    }

    @Override
    public NDArray randomFlipTopBottom() {
        throw GptqNDArray.unsupported("randomFlipTopBottom");
    }

    @Override
    public NDArray randomBrightness(float brightness) {
        throw GptqNDArray.unsupported("randomBrightness");
    }

    @Override
    public NDArray randomHue(float hue) {
        throw GptqNDArray.unsupported("randomHue");
    }

    @Override
    public NDArray randomColorJitter(float brightness, float contrast, float saturation, float hue) {
        throw GptqNDArray.unsupported("randomColorJitter");
    }

    @Override
    public NDList multiBoxTarget(NDList inputs, float iouThreshold, float ignoreLabel, float negativeMiningRatio,
            float negativeMiningThreshold, int minNegativeSamples) {
        throw GptqNDArray.unsupported("multiBoxTarget");
    }

    @Override
    public NDList multiBoxPrior(List<Float> sizes, List<Float> ratios, List<Float> steps, List<Float> offsets,
            boolean clip) {
        throw GptqNDArray.unsupported("multiBoxPrior");
    }

    @Override
    public NDList multiBoxDetection(NDList inputs, boolean clip, float threshold, int backgroundId,
            float nmsThreshold, boolean forceSuppress, int nmsTopK) {
        throw GptqNDArray.unsupported("multiBoxDetection");
    }

    private NDArray unary(UnaryOp op) {
        return array.result(Elementwise.unary(op, array.dense()));
    }

    /** In-place reversed ops: the result replaces the array's data, which must be able to hold its type. */
    private NDArray replaceWith(Dense result, String op) {
        Dense target = array.dense();
        if (TypePromotion.category(result.type()) > TypePromotion.category(target.type())
                || !java.util.Arrays.equals(result.shape(), target.shape())) {
            throw new IllegalArgumentException("in-place " + op + " would change the array's type or shape");
        }
        Dense converted = Layout.convert(result, target.type());
        java.lang.foreign.MemorySegment.copy(converted.data(), 0, target.data(), 0, target.data().byteSize());
        return array;
    }

    private List<Dense> parts(NDList others) {
        List<Dense> parts = new ArrayList<>(others.size() + 1);
        parts.add(array.dense());
        for (NDArray other : others) {
            parts.add(GptqNDArray.operand(other));
        }
        return parts;
    }

    private static DataType promotedType(List<Dense> parts) {
        DataType type = parts.get(0).type();
        for (Dense p : parts) {
            type = TypePromotion.promote(type, p.type());
        }
        return type;
    }
}
