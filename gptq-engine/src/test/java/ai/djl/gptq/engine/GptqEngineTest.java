package ai.djl.gptq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.gptq.model.GptqModel;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class GptqEngineTest {

    @Test
    void registeredUnderItsName() {
        Engine engine = Engine.getEngine("GPTQ");
        assertInstanceOf(GptqEngine.class, engine);
        assertEquals("GPTQ", engine.getEngineName());
        assertEquals(GptqEngine.VERSION, engine.getVersion());
        assertTrue(engine.getRank() > 2, "behind PyTorch");
        assertFalse(engine.hasCapability("CUDA"));
        assertTrue(engine.toString().startsWith("GPTQ:" + GptqEngine.VERSION));
    }

    @Test
    void noAlternativeWithoutPyTorch() {
        assertNull(Engine.getEngine("GPTQ").getAlternativeEngine());
        try (NDManager manager = Engine.getEngine("GPTQ").newBaseManager()) {
            NDArray a = manager.create(new float[] {1, 2, 3});
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, a::gammaln);
            assertTrue(e.getMessage().contains("gammaln") && e.getMessage().contains("GPTQ"), e.getMessage());
            e = assertThrows(UnsupportedOperationException.class, () -> a.fft(4));
            assertTrue(e.getMessage().contains("fft") && e.getMessage().contains("GPTQ"), e.getMessage());
        }
    }

    @Test
    void newModelIsGptqModel() {
        try (Model model = Engine.getEngine("GPTQ").newModel("m", null)) {
            assertInstanceOf(GptqModel.class, model);
            assertInstanceOf(GptqNDManager.class, model.getNDManager());
        }
    }

    @Test
    void closingManagerReleasesArrays() {
        NDManager base = Engine.getEngine("GPTQ").newBaseManager();
        NDManager sub = base.newSubManager();
        NDArray a = sub.zeros(new Shape(3));
        NDArray b = base.ones(new Shape(2));
        b.attach(sub);
        NDArray kept = sub.ones(new Shape(1));
        kept.detach();
        base.close();
        assertTrue(a.isReleased());
        assertTrue(b.isReleased());
        assertFalse(kept.isReleased());
        assertThrows(IllegalStateException.class, () -> sub.zeros(new Shape(1)));
        kept.close();
    }

    @Test
    void tempAttachReturnsArrayToItsManager() {
        try (NDManager base = Engine.getEngine("GPTQ").newBaseManager()) {
            NDArray a = base.ones(new Shape(2));
            try (NDManager scope = base.newSubManager()) {
                a.tempAttach(scope);
                assertEquals(scope, a.getManager());
            }
            assertFalse(a.isReleased());
            assertEquals(base, a.getManager());
        }
    }
}
