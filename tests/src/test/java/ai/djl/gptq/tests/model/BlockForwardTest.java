package ai.djl.gptq.tests.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.gptq.bridge.PyTorchBridge;
import ai.djl.gptq.format.safetensors.SafetensorsFile;
import ai.djl.gptq.model.ActivationPrecision;
import ai.djl.gptq.model.CausalLanguageModel;
import ai.djl.gptq.model.CausalLmBlock;
import ai.djl.gptq.model.DecoderLayerBlock;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.util.PairList;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The decoder as DJL sees it: a block run by a Predictor, continued through a session, taken apart by layer. */
class BlockForwardTest {

    private static final Fixture FIXTURE = Fixture.QWEN2_AWQ_INT4;

    @Test
    void aPredictorOnThePyTorchEngineReturnsTheLogitsOfEveryPosition() throws TranslateException {
        Reference ref = FIXTURE.reference(0);
        try (Model model = PyTorchBridge.load(FIXTURE.folder(), ActivationPrecision.FP32);
                Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator());
                NDManager manager = model.getNDManager().newSubManager()) {
            long[] ids = Arrays.stream(ref.inputIds()).asLongStream().toArray();
            NDArray input = manager.create(ids, new Shape(1, ids.length));
            NDArray logits = predictor.predict(new NDList(input)).singletonOrThrow();
            assertEquals(new Shape(ids.length, 4096), logits.getShape());
            double error = RelativeL2.of(logits.toFloatArray(), ref.logits());
            assertTrue(error <= Tolerance.logits(ActivationPrecision.FP32), "relative L2 " + error);
        }
    }

    @Test
    void aSessionParameterContinuesTheSequence() {
        Reference ref = FIXTURE.reference(1);
        int[] prompt = ref.inputIds();
        try (Model model = PyTorchBridge.load(FIXTURE.folder(), ActivationPrecision.FP32);
                NDManager manager = model.getNDManager().newSubManager()) {
            CausalLmBlock block = (CausalLmBlock) model.getBlock();
            CausalLanguageModel lm = block.languageModel();
            int[] sequence = IncrementalDecoding.concat(prompt, new int[] {ref.generatedIds()[0]});
            float[] full = lm.logits(sequence);
            try (CausalLanguageModel.Session session = lm.newSession(sequence.length)) {
                PairList<String, Object> params = new PairList<>();
                params.add(CausalLmBlock.SESSION, session);
                ParameterStore store = new ParameterStore(manager, false);
                block.forward(store, new NDList(manager.create(prompt)), false, params);
                NDArray last = block.forward(store, new NDList(manager.create(new int[] {sequence[prompt.length]})), false,
                        params).singletonOrThrow();
                assertEquals(sequence.length, session.position());
                float[] expected = Arrays.copyOfRange(full, prompt.length * 4096, full.length);
                double error = RelativeL2.of(last.toFloatArray(), expected);
                assertTrue(error <= Tolerance.SUMMATION_ORDER, "relative L2 " + error);
            }
        }
    }

    @Test
    void hiddenStatesAgreeAcrossEnginesAndALayerRunsOnItsOwn() {
        int[] prompt = FIXTURE.reference(0).inputIds();
        int hidden = 384;
        try (Model model = PyTorchBridge.load(FIXTURE.folder(), ActivationPrecision.FP32);
                CausalLanguageModel gptq = CausalLanguageModel.load(FIXTURE.folder(), ActivationPrecision.FP32);
                NDManager manager = model.getNDManager().newSubManager()) {
            CausalLmBlock block = (CausalLmBlock) model.getBlock();
            float[][] pyTorchStates;
            try (CausalLanguageModel.Session session = block.languageModel().newSession(prompt.length)) {
                pyTorchStates = session.hiddenStates(prompt);
            }
            float[][] gptqStates;
            try (CausalLanguageModel.Session session = gptq.newSession(prompt.length)) {
                gptqStates = session.hiddenStates(prompt);
            }
            assertEquals(7, gptqStates.length);
            for (int i = 0; i < gptqStates.length; i++) {
                double error = RelativeL2.of(gptqStates[i], pyTorchStates[i]);
                assertTrue(error <= 1e-4, "hidden state " + i + ": relative L2 " + error);
            }

            int layer = 2;
            DecoderLayerBlock layerBlock = (DecoderLayerBlock) block.getChildren().get(layer).getValue();
            assertEquals(layer, layerBlock.layer());
            try (CausalLanguageModel.Session session = block.languageModel().newSession(prompt.length)) {
                PairList<String, Object> params = new PairList<>();
                params.add(CausalLmBlock.SESSION, session);
                NDArray input = manager.create(pyTorchStates[layer], new Shape(prompt.length, hidden));
                NDArray output = layerBlock.forward(new ParameterStore(manager, false), new NDList(input), false, params)
                        .singletonOrThrow();
                double error = RelativeL2.of(output.toFloatArray(), pyTorchStates[layer + 1]);
                assertTrue(error <= Tolerance.SUMMATION_ORDER, "layer " + layer + " on its own: relative L2 " + error);
            }
            assertArrayEquals(new Shape[] {new Shape(5, 4096)}, block.getOutputShapes(new Shape[] {new Shape(5)}));
        }
    }

    @Test
    void forwardAllAlsoGivesTheLastHiddenStateAfterTheFinalNorm() throws Exception {
        int[] prompt = FIXTURE.reference(0).inputIds();
        int hidden = 384;
        float[] normWeight;
        try (SafetensorsFile f = SafetensorsFile.open(FIXTURE.folder().resolve("model.safetensors"))) {
            normWeight = f.tensor("model.norm.weight").toFloatArray();
        }
        try (CausalLanguageModel lm = CausalLanguageModel.load(FIXTURE.folder(), ActivationPrecision.FP32)) {
            float[][] states;
            try (CausalLanguageModel.Session session = lm.newSession(prompt.length)) {
                states = session.hiddenStates(prompt);
            }
            float[] last = new float[prompt.length * hidden];
            float[] logits;
            try (CausalLanguageModel.Session session = lm.newSession(prompt.length)) {
                logits = session.forwardAll(prompt, last);
                assertEquals(prompt.length, session.position());
            }
            double logitsError = RelativeL2.of(logits, lm.logits(prompt));
            assertTrue(logitsError <= Tolerance.SUMMATION_ORDER, "logits: relative L2 " + logitsError);
            // RMSNorm (eps 1e-6) of the last layer's output, times the final norm's weight
            float[] pre = states[states.length - 1];
            float[] expected = new float[pre.length];
            for (int t = 0; t < prompt.length; t++) {
                double sum = 0;
                for (int j = 0; j < hidden; j++) {
                    sum += (double) pre[t * hidden + j] * pre[t * hidden + j];
                }
                double scale = 1 / Math.sqrt(sum / hidden + 1e-6);
                for (int j = 0; j < hidden; j++) {
                    expected[t * hidden + j] = (float) (pre[t * hidden + j] * scale * normWeight[j]);
                }
            }
            double error = RelativeL2.of(last, expected);
            assertTrue(error <= 1e-4, "last hidden state: relative L2 " + error);
        }
    }
}
