package ai.djl.gptq.generate;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * One generation in progress, as an iterator over the text it produces: each {@link #next()} runs the model
 * until a piece of text is safe to show (never a broken UTF-8 character, never the beginning of a stop string
 * that may still complete). Holds a session (the KV cache) until exhausted or closed. Not thread-safe.
 */
public final class Generation implements Iterator<String>, AutoCloseable {

    /** Why generation ended. */
    public enum FinishReason {
        LENGTH,
        EOS,
        STOP
    }

    private final CausalLm.Session session;
    private final int promptLength;
    private final int budget;
    private final Sampler sampler;
    private final StopSequences stops;
    private final IncrementalDecoder pieces;
    private final GenerationConfig config;
    private final int[] seen;
    private final int[] step = new int[1];
    private final StringBuilder text = new StringBuilder();
    private float[] logits;
    private int generated;
    private int emitted;
    private FinishReason finishReason;
    private String pending;
    private boolean closed;

    Generation(CausalLm model, Function<long[], String> decode, int[] promptIds, GenerationConfig config) {
        int context = Math.min(model.maxContext(), promptIds.length + config.maxNewTokens());
        this.promptLength = promptIds.length;
        this.budget = context - promptIds.length;
        this.config = config;
        this.sampler = new Sampler(config);
        this.stops = new StopSequences(config.stop());
        this.pieces = new IncrementalDecoder(decode);
        this.seen = Arrays.copyOf(promptIds, promptIds.length + budget);
        this.session = model.newSession(context);
        try {
            this.logits = session.forward(promptIds);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    @Override
    public boolean hasNext() {
        while (pending == null && finishReason == null) {
            advance();
        }
        if (pending == null) {
            close();
            return false;
        }
        return true;
    }

    @Override
    public String next() {
        if (!hasNext()) {
            throw new NoSuchElementException("generation finished: " + finishReason);
        }
        String piece = pending;
        pending = null;
        return piece;
    }

    /** Runs one token; sets {@code pending} when text became safe to show, or {@code finishReason} at the end. */
    private void advance() {
        if (generated == budget) {
            finish(FinishReason.LENGTH);
            return;
        }
        int token = sampler.next(logits, seen, promptLength + generated);
        if (config.isEos(token)) {
            finish(FinishReason.EOS);
            return;
        }
        seen[promptLength + generated++] = token;
        text.append(pieces.add(token));
        int stopAt = stops.find(text);
        if (stopAt >= 0) {
            text.setLength(stopAt);
            finish(FinishReason.STOP);
            return;
        }
        emitUpTo(stops.safeLength(text));
        if (generated < budget) {
            step[0] = token;
            logits = session.forward(step);
        }
    }

    private void finish(FinishReason reason) {
        finishReason = reason;
        if (reason != FinishReason.STOP) {
            text.append(pieces.flush());
            int stopAt = stops.find(text);
            if (stopAt >= 0) {
                text.setLength(stopAt);
                finishReason = FinishReason.STOP;
            }
        }
        emitUpTo(text.length());
        close();
    }

    private void emitUpTo(int end) {
        if (end > emitted) {
            pending = pending == null ? text.substring(emitted, end) : pending + text.substring(emitted, end);
            emitted = end;
        }
    }

    /** The text generated so far (all of it once the iterator is exhausted). */
    public String text() {
        return text.toString();
    }

    /** The tokens generated so far, without the prompt and without an end-of-sequence token. */
    public int[] generatedIds() {
        return Arrays.copyOfRange(seen, promptLength, promptLength + generated);
    }

    /** Why generation ended, or {@code null} while it runs. */
    public FinishReason finishReason() {
        return finishReason;
    }

    /** Frees the KV cache; the iterator then ends. Safe to call more than once. */
    @Override
    public void close() {
        if (finishReason == null) {
            finishReason = FinishReason.LENGTH;
        }
        if (!closed) {
            closed = true;
            session.close();
        }
    }
}
