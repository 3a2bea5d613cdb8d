package ai.djl.gptq.engine;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.gptq.kernel.Kernels;
import ai.djl.gptq.model.GptqModel;
import ai.djl.ndarray.NDManager;

/**
 * The DJL engine {@value #ENGINE_NAME}: pure Java, CPU only, dense arrays on the heap and packed quantized weights
 * multiplied by the project's kernels. Random arrays draw from DJL's {@code RandomUtils.RANDOM}, which
 * {@link #setRandomSeed(int)} seeds.
 *
 * <p>Ops the engine does not implement run on the alternative engine (PyTorch when it is on the class path), as
 * with DJL's ONNX Runtime engine; without one they throw {@link UnsupportedOperationException}.
 */
public final class GptqEngine extends Engine {

    /** The engine's name for {@code Engine.getEngine} and {@code Criteria.optEngine}. */
    public static final String ENGINE_NAME = "GPTQ";

    /** The engine version: the version of this project. */
    public static final String VERSION = "0.1.0";

    /** Behind PyTorch (2), TensorFlow (3) and ONNX Runtime (10): a specialised engine is never DJL's default by accident. */
    static final int RANK = 12;

    private static final String ALTERNATIVE = "PyTorch";

    private Engine alternativeEngine;
    private boolean alternativeResolved;

    GptqEngine() {}

    @Override
    public synchronized Engine getAlternativeEngine() {
        if (!alternativeResolved && !Boolean.getBoolean("ai.djl.gptq.disable_alternative")) {
            if (Engine.hasEngine(ALTERNATIVE)) {
                Engine engine = Engine.getEngine(ALTERNATIVE);
                if (engine.getRank() < getRank()) {
                    alternativeEngine = engine;
                }
            }
            alternativeResolved = true;
        }
        return alternativeEngine;
    }

    @Override
    public String getEngineName() {
        return ENGINE_NAME;
    }

    @Override
    public int getRank() {
        return RANK;
    }

    @Override
    public String getVersion() {
        return VERSION;
    }

    /** The engine runs on the CPU only; it reports no CUDA, MKL or other native capability. */
    @Override
    public boolean hasCapability(String capability) {
        return false;
    }

    @Override
    public Device defaultDevice() {
        return Device.cpu();
    }

    @Override
    public Device[] getDevices() {
        return new Device[] {Device.cpu()};
    }

    @Override
    public Device[] getDevices(int maxGpus) {
        return getDevices();
    }

    @Override
    public int getGpuCount() {
        return 0;
    }

    @Override
    public Model newModel(String name, Device device) {
        return new GptqModel(name, newBaseManager(device));
    }

    @Override
    public NDManager newBaseManager() {
        return newBaseManager(null);
    }

    @Override
    public NDManager newBaseManager(Device device) {
        return GptqNDManager.getSystemManager().newSubManager(device);
    }

    @Override
    public String toString() {
        return getEngineName() + ':' + getVersion() + ", capabilities: [], kernels: "
                + (Kernels.vectorized() ? "Vector API" : "scalar") + ", alternative: "
                + (getAlternativeEngine() == null ? "none" : getAlternativeEngine().getEngineName());
    }

}
