package ai.djl.gptq.zoo;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One known checkpoint of the zoo's index: a hub repository (or the bundled model) with what a user needs to
 * choose it without downloading it.
 *
 * @param id the hub repository name, {@code owner/name}; the zoo's artifact id
 * @param revision the branch, tag or commit to download
 * @param architecture the transformers class, e.g. {@code Qwen2ForCausalLM}
 * @param method {@code GPTQ} or {@code AWQ}
 * @param bits bits per weight
 * @param groupSize input rows per quantization group, -1 for one group per column
 * @param parameters the model's parameter count
 * @param approxBytes the approximate download size in bytes
 * @param description a one-line description
 * @param bundled whether the model ships inside the model-zoo jar instead of coming from the hub
 */
public record IndexEntry(
        String id,
        String revision,
        String architecture,
        String method,
        int bits,
        int groupSize,
        long parameters,
        long approxBytes,
        String description,
        boolean bundled) {

    /**
     * The entry as DJL artifact properties, which {@code Criteria.optFilter} matches: {@code architecture},
     * {@code method}, {@code bits}, {@code groupSize}, {@code parameters}, {@code size}, {@code revision} and
     * {@code source} ({@code hub} or {@code bundled}).
     *
     * @return the properties, as strings
     */
    public Map<String, String> properties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("architecture", architecture);
        properties.put("method", method);
        properties.put("bits", Integer.toString(bits));
        properties.put("groupSize", Integer.toString(groupSize));
        properties.put("parameters", Long.toString(parameters));
        properties.put("size", Long.toString(approxBytes));
        properties.put("revision", revision);
        properties.put("source", bundled ? "bundled" : "hub");
        return properties;
    }
}
