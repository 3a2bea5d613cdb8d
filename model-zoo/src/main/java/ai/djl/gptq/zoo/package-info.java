/**
 * The GPTQ model zoo: the index of known hub checkpoints ({@link ai.djl.gptq.zoo.ModelIndex}), the zoo DJL finds
 * through {@link ai.djl.gptq.zoo.GptqZooProvider}, the bundled default model ({@link ai.djl.gptq.zoo.DefaultModel})
 * and the loader defaults (GPTQ engine, text-generation translator).
 */
package ai.djl.gptq.zoo;
