package ai.djl.gptq.translator;

import ai.djl.gptq.model.CausalLanguageModel;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Idle KV-cached sessions of one model, found by the tokens they hold, so that a search that hands back the
 * history of its last step continues the session instead of recomputing it. A session is taken out while a
 * caller runs it, so no two threads share one. The pool keeps at most {@link #IDLE} sessions and closes the least
 * recently used beyond that: a search that ends (DJL's searches give no signal) leaves its session to be closed
 * by later ones, never more than {@link #IDLE} caches in all.
 */
final class SessionPool {

    /** Idle sessions kept: enough for a beam search of a few beams, or a few concurrent greedy searches. */
    static final int IDLE = 8;

    /** Smallest cache a session is opened with, so that short prompts do not reopen at every step. */
    private static final int MIN_CAPACITY = 64;

    private final CausalLanguageModel model;
    private final LinkedHashMap<History, CausalLanguageModel.Session> idle = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<History, CausalLanguageModel.Session> eldest) {
            if (size() > IDLE) {
                eldest.getValue().close();
                return true;
            }
            return false;
        }
    };

    SessionPool(CausalLanguageModel model) {
        this.model = model;
    }

    /**
     * A session that has run exactly {@code tokens} and has room for {@code capacity} tokens in all: the idle one
     * holding them, or a new one that runs them now.
     */
    CausalLanguageModel.Session take(int[] tokens, int capacity) {
        CausalLanguageModel.Session session;
        synchronized (idle) {
            session = idle.remove(new History(tokens));
        }
        if (session != null && session.capacity() >= capacity) {
            return session;
        }
        if (session != null) {
            session.close();
        }
        // doubling keeps the recomputation on growth proportional to the tokens generated
        int size = (int) Math.min(model.maxContext(), Math.max(MIN_CAPACITY, 2L * capacity));
        session = model.newSession(Math.max(size, capacity));
        if (tokens.length > 0) {
            try {
                session.forward(tokens);
            } catch (RuntimeException e) {
                session.close();
                throw e;
            }
        }
        return session;
    }

    /** Gives back {@code session}, which has run exactly {@code tokens}. */
    void put(int[] tokens, CausalLanguageModel.Session session) {
        CausalLanguageModel.Session replaced;
        synchronized (idle) {
            replaced = idle.put(new History(tokens), session);
        }
        if (replaced != null && replaced != session) {
            replaced.close();
        }
    }

    /** Token ids as a map key. */
    private record History(int[] tokens) {
        @Override
        public boolean equals(Object o) {
            return o instanceof History h && Arrays.equals(tokens, h.tokens);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(tokens);
        }
    }
}
