package ai.djl.gptq.engine;

import ai.djl.engine.Engine;
import ai.djl.engine.EngineProvider;

/** Registers the {@value GptqEngine#ENGINE_NAME} engine with DJL through {@code META-INF/services}. */
public class GptqEngineProvider implements EngineProvider {

    @Override
    public String getEngineName() {
        return GptqEngine.ENGINE_NAME;
    }

    @Override
    public int getEngineRank() {
        return GptqEngine.RANK;
    }

    @Override
    public Engine getEngine() {
        return InstanceHolder.INSTANCE;
    }

    private static final class InstanceHolder {
        static final Engine INSTANCE = new GptqEngine();
    }
}
