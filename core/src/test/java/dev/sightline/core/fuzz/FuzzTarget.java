package dev.sightline.core.fuzz;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * One decoder or parser under fuzzing: the valid inputs its mutations start from (written by us), the tokens of its
 * language the mutator may insert or nest, what it does with an input, and the exceptions that count as a clean
 * rejection. An input either returns (accepted: the body itself checks that what it accepted is consistent and throws
 * an AssertionError if not) or throws; a throw is clean only when its type is listed and its located-check holds
 * (the error names a position or field). Anything else, a hang past {@link #timeLimit()} or an allocation past
 * {@link #maxAllocatedBytes()} for one input, is a failure.
 */
public final class FuzzTarget {
    /** What the target does with one input. */
    @FunctionalInterface
    public interface Body {
        void run(byte[] input) throws Exception;
    }

    /** What a target of text (a query, a parameter) does with one input, decoded as UTF-8. */
    @FunctionalInterface
    public interface TextBody {
        void run(String input) throws Exception;
    }

    private record Rejection(Class<? extends Throwable> type, Predicate<Throwable> located) {
    }

    private final String name;
    private final List<byte[]> seeds;
    private final List<byte[]> tokens;
    private final int maxSize;
    private final Duration timeLimit;
    private final long maxAllocatedBytes;
    private final Body body;
    private final List<Rejection> rejections;

    private FuzzTarget(Builder b) {
        this.name = b.name;
        this.seeds = List.copyOf(b.seeds);
        this.tokens = List.copyOf(b.tokens);
        this.maxSize = b.maxSize;
        this.timeLimit = b.timeLimit;
        this.maxAllocatedBytes = b.maxAllocatedBytes;
        this.body = Objects.requireNonNull(b.body, "run(body) is required");
        this.rejections = List.copyOf(b.rejections);
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException(name + ": at least one seed is required");
        }
    }

    public static Builder named(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    public List<byte[]> seeds() {
        return seeds;
    }

    public List<byte[]> tokens() {
        return tokens;
    }

    /** The largest input the mutator produces for this target. */
    public int maxSize() {
        return maxSize;
    }

    public Duration timeLimit() {
        return timeLimit;
    }

    public long maxAllocatedBytes() {
        return maxAllocatedBytes;
    }

    public void run(byte[] input) throws Exception {
        body.run(input);
    }

    /** Null when {@code t} is a clean rejection, else what is wrong with it. */
    public String verdict(Throwable t) {
        for (Rejection r : rejections) {
            if (r.type.isInstance(t)) {
                return r.located.test(t) ? null : t.getClass().getSimpleName() + " without a position or field: " + t.getMessage();
            }
        }
        return "unexpected " + t.getClass().getName() + ": " + t.getMessage();
    }

    @Override
    public String toString() {
        return name;
    }

    public static final class Builder {
        private final String name;
        private final List<byte[]> seeds = new ArrayList<>();
        private final List<byte[]> tokens = new ArrayList<>();
        private int maxSize = 64 << 10;
        private Duration timeLimit = Duration.ofSeconds(5);
        private long maxAllocatedBytes = 256L << 20;
        private Body body;
        private final List<Rejection> rejections = new ArrayList<>();

        private Builder(String name) {
            this.name = name;
        }

        /** The seeds, tokens and size bound of {@code other}: the same inputs sent another way (over HTTP, say). */
        public Builder like(FuzzTarget other) {
            seeds.addAll(other.seeds);
            tokens.addAll(other.tokens);
            maxSize = other.maxSize;
            return this;
        }

        public Builder seeds(byte[]... seeds) {
            this.seeds.addAll(List.of(seeds));
            return this;
        }

        public Builder seeds(String... seeds) {
            for (String s : seeds) {
                this.seeds.add(s.getBytes(StandardCharsets.UTF_8));
            }
            return this;
        }

        public Builder seeds(List<byte[]> seeds) {
            this.seeds.addAll(seeds);
            return this;
        }

        /** Words of the input's language (operators, keywords, brackets) the mutator inserts and nests. */
        public Builder tokens(String... tokens) {
            for (String t : tokens) {
                this.tokens.add(t.getBytes(StandardCharsets.UTF_8));
            }
            return this;
        }

        public Builder maxSize(int maxSize) {
            this.maxSize = maxSize;
            return this;
        }

        public Builder timeLimit(Duration timeLimit) {
            this.timeLimit = timeLimit;
            return this;
        }

        public Builder maxAllocatedBytes(long maxAllocatedBytes) {
            this.maxAllocatedBytes = maxAllocatedBytes;
            return this;
        }

        /**
         * A clean rejection: a throw of {@code type} for which {@code located} holds (its message or fields name the
         * position or field of the problem).
         */
        public <T extends Throwable> Builder rejects(Class<T> type, Predicate<? super T> located) {
            rejections.add(new Rejection(type, t -> located.test(type.cast(t))));
            return this;
        }

        public Builder run(Body body) {
            this.body = body;
            return this;
        }

        /** Runs the input as UTF-8 text (malformed bytes become U+FFFD, as a server decodes a query parameter). */
        public Builder runText(TextBody body) {
            return run(in -> body.run(new String(in, StandardCharsets.UTF_8)));
        }

        public FuzzTarget build() {
            return new FuzzTarget(this);
        }
    }
}
