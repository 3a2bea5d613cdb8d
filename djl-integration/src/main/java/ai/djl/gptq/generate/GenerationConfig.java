package ai.djl.gptq.generate;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * How to generate: length, sampling and stopping. Immutable; built from a model's {@code
 * generation_config.json}, then overridden by translator arguments and per-request parameters with the
 * transformers names ({@code max_new_tokens}) or the DJL camel-case names ({@code maxNewTokens}).
 *
 * @param maxNewTokens tokens to generate at most (1 .. {@link #MAX_NEW_TOKENS})
 * @param doSample sample from the distribution instead of taking the most likely token
 * @param temperature divides the logits before sampling; must be &gt; 0 when sampling
 * @param topK keep only the k most likely tokens when sampling (0 = all)
 * @param topP keep the smallest set of tokens whose probability reaches p when sampling (1 = all)
 * @param repetitionPenalty transformers' CTRL-style penalty on tokens already seen (1 = none)
 * @param seed seed of the sampler's random generator, for reproducible sampling
 * @param stop strings that end generation; the text returned stops before them
 * @param eosTokenIds token ids that end generation (not emitted)
 * @param ignoreEos keep generating past an end-of-sequence token
 */
public record GenerationConfig(
        int maxNewTokens,
        boolean doSample,
        float temperature,
        int topK,
        float topP,
        float repetitionPenalty,
        long seed,
        List<String> stop,
        int[] eosTokenIds,
        boolean ignoreEos) {

    /** An upper bound that keeps a forged request from reserving an absurd KV cache. */
    public static final int MAX_NEW_TOKENS = 1 << 20;

    /** Greedy, 64 new tokens, no stop strings, no eos: the defaults when a model has no generation config. */
    public static final GenerationConfig DEFAULT = new GenerationConfig(64, false, 1f, 50, 1f, 1f, 0L, List.of(), new int[0], false);

    public GenerationConfig {
        if (maxNewTokens <= 0 || maxNewTokens > MAX_NEW_TOKENS) {
            throw new IllegalArgumentException("maxNewTokens must be in 1.." + MAX_NEW_TOKENS + ", got " + maxNewTokens);
        }
        if (doSample && !(temperature > 0 && Float.isFinite(temperature))) {
            throw new IllegalArgumentException("temperature must be a positive number when sampling, got " + temperature + " (use doSample=false for greedy decoding)");
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0 (0 = no limit), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
        if (!(repetitionPenalty > 0 && Float.isFinite(repetitionPenalty))) {
            throw new IllegalArgumentException("repetitionPenalty must be a positive number, got " + repetitionPenalty);
        }
        stop = List.copyOf(stop);
        for (String s : stop) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty");
            }
        }
        eosTokenIds = eosTokenIds.clone();
    }

    @Override
    public int[] eosTokenIds() {
        return eosTokenIds.clone();
    }

    /** Whether {@code token} ends generation. */
    public boolean isEos(int token) {
        if (ignoreEos) {
            return false;
        }
        for (int e : eosTokenIds) {
            if (e == token) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads the defaults of a model's {@code generation_config.json}: {@code max_new_tokens}, {@code do_sample},
     * {@code temperature}, {@code top_k}, {@code top_p}, {@code repetition_penalty}, {@code eos_token_id}.
     */
    public static GenerationConfig read(Path file) throws IOException {
        JsonObject json;
        try {
            JsonElement e = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) {
                throw new IOException(file + ": not a JSON object");
            }
            json = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        Map<String, Object> values = new java.util.HashMap<>();
        for (Map.Entry<String, JsonElement> entry : json.entrySet()) {
            JsonElement v = entry.getValue();
            if (v.isJsonNull()) {
                continue;
            }
            if (v.isJsonArray()) {
                List<Object> list = new ArrayList<>();
                v.getAsJsonArray().forEach(x -> list.add(x.isJsonPrimitive() && x.getAsJsonPrimitive().isNumber() ? x.getAsNumber() : x.getAsString()));
                values.put(entry.getKey(), list);
            } else if (v.isJsonPrimitive()) {
                var p = v.getAsJsonPrimitive();
                values.put(entry.getKey(), p.isNumber() ? p.getAsNumber() : p.isBoolean() ? p.getAsBoolean() : p.getAsString());
            }
        }
        try {
            return DEFAULT.with(values);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Returns a copy with the recognised keys of {@code values} applied. Values may be numbers, booleans or
     * strings (as DJL arguments and JSON parameters arrive); unknown keys are ignored so that a request may
     * carry parameters meant for others.
     *
     * @throws IllegalArgumentException when a value is malformed or out of range
     */
    public GenerationConfig with(Map<String, ?> values) {
        int maxNew = maxNewTokens;
        boolean sample = doSample;
        float temp = temperature;
        int k = topK;
        float p = topP;
        float penalty = repetitionPenalty;
        long s = seed;
        List<String> stops = stop;
        int[] eos = eosTokenIds;
        boolean noEos = ignoreEos;
        for (Map.Entry<String, ?> e : values.entrySet()) {
            Object v = e.getValue();
            if (v == null) {
                continue;
            }
            switch (e.getKey()) {
                case "maxNewTokens", "max_new_tokens" -> maxNew = toInt(e.getKey(), v);
                case "doSample", "do_sample" -> sample = toBoolean(e.getKey(), v);
                case "temperature" -> temp = (float) toDouble(e.getKey(), v);
                case "topK", "top_k" -> k = toInt(e.getKey(), v);
                case "topP", "top_p" -> p = (float) toDouble(e.getKey(), v);
                case "repetitionPenalty", "repetition_penalty" -> penalty = (float) toDouble(e.getKey(), v);
                case "seed" -> s = (long) toDouble(e.getKey(), v);
                case "stop", "stop_sequences" -> stops = toStrings(v);
                case "eosTokenId", "eos_token_id", "eosTokenIds" -> eos = toInts(e.getKey(), v);
                case "ignoreEos", "ignore_eos" -> noEos = toBoolean(e.getKey(), v);
                default -> {
                    // not ours
                }
            }
        }
        return new GenerationConfig(maxNew, sample, temp, k, p, penalty, s, stops, eos, noEos);
    }

    private static int toInt(String key, Object v) {
        double d = toDouble(key, v);
        if (d != Math.rint(d) || d > Integer.MAX_VALUE || d < Integer.MIN_VALUE) {
            throw new IllegalArgumentException(key + " must be an integer, got " + v);
        }
        return (int) d;
    }

    private static double toDouble(String key, Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, got '" + v + "'", e);
        }
    }

    private static boolean toBoolean(String key, Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        String s = v.toString().trim();
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new IllegalArgumentException(key + " must be true or false, got '" + v + "'");
    }

    private static List<String> toStrings(Object v) {
        if (v instanceof Collection<?> c) {
            return c.stream().map(String::valueOf).toList();
        }
        if (v instanceof String[] a) {
            return Arrays.asList(a);
        }
        return List.of(v.toString());
    }

    private static int[] toInts(String key, Object v) {
        if (v instanceof Collection<?> c) {
            return c.stream().mapToInt(x -> toInt(key, x)).toArray();
        }
        if (v instanceof int[] a) {
            return a.clone();
        }
        return new int[] {toInt(key, v)};
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationConfig g
                && maxNewTokens == g.maxNewTokens
                && doSample == g.doSample
                && Float.compare(temperature, g.temperature) == 0
                && topK == g.topK
                && Float.compare(topP, g.topP) == 0
                && Float.compare(repetitionPenalty, g.repetitionPenalty) == 0
                && seed == g.seed
                && stop.equals(g.stop)
                && Arrays.equals(eosTokenIds, g.eosTokenIds)
                && ignoreEos == g.ignoreEos;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(maxNewTokens, doSample, temperature, topK, topP, repetitionPenalty, seed, stop, Arrays.hashCode(eosTokenIds), ignoreEos);
    }

    @Override
    public String toString() {
        return "GenerationConfig[maxNewTokens=" + maxNewTokens + ", doSample=" + doSample + ", temperature=" + temperature
                + ", topK=" + topK + ", topP=" + topP + ", repetitionPenalty=" + repetitionPenalty + ", seed=" + seed
                + ", stop=" + stop + ", eosTokenIds=" + Arrays.toString(eosTokenIds) + ", ignoreEos=" + ignoreEos + "]";
    }
}
