/**
 * DJL repositories for hub and bundled models, and the {@code hf://} URL scheme
 * ({@link ai.djl.gptq.zoo.repository.HfRepositoryFactory}).
 */
package ai.djl.gptq.zoo.repository;
