package ai.djl.gptq.format.checkpoint;

import java.util.regex.Pattern;

/**
 * One entry of GPT-QModel's {@code dynamic} map: a regular expression matched from the start of a module
 * name (Python's {@code re.match}); an excluding rule ({@code -:} prefix) leaves matching modules dense, any
 * other rule ({@code +:} prefix or none) gives them its own settings.
 *
 * @param key the map key as written, for messages
 * @param pattern the expression without its prefix
 * @param quantization the settings of matching modules, {@code null} for an excluding rule
 */
record DynamicRule(String key, Pattern pattern, LayerQuantization quantization) {

    boolean matches(String module) {
        return pattern.matcher(module).lookingAt();
    }
}
