/**
 * A Hugging Face Hub client speaking the protocol of {@code huggingface_hub}: revision listing, resumable and
 * verified downloads of only the files a model needs, a cache that works offline.
 */
package ai.djl.gptq.zoo.hub;
