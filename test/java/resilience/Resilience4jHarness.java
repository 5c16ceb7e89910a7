import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.IllegalStateTransitionException;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnStateTransitionEvent;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.retry.MaxRetriesExceededException;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Drives Resilience4j's own circuit breaker, retry, rate limiter and bulkhead with a clock the
 * caller moves, for the differential test of @stratus/resilience. One scenario per stdin line,
 * one line of observations per scenario on stdout:
 *
 * <pre>
 *   CB id k=v;k=v op op ...   circuit breaker; ops s|e|i|n&lt;ms&gt; (call), t&lt;ms&gt;, F D M C H O R m
 *   RT id k=v;k=v call ...    retry (its CompletionStage path); a call lists its attempts' outcomes, e.g. EES
 *   RL id k=v;k=v op ...      rate limiter; ops t&lt;ms&gt;, r&lt;n&gt; (reserve), a&lt;n&gt; (acquire), d, m
 *   BH id k=v;k=v op ...      semaphore bulkhead; ops a (try acquire), c (complete), m
 *   DF id                     the default configurations
 * </pre>
 */
public final class Resilience4jHarness {

    static final long START_MILLIS = 1_700_000_000_123L;

    /** A java.time.Clock that only moves when told to. */
    static final class MutableClock extends Clock {
        long millis = START_MILLIS;

        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return Instant.ofEpochMilli(millis); }
        @Override public long millis() { return millis; }
    }

    /** Runs scheduled tasks when the clock passes their due time, at that time. */
    static final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
        final MutableClock clock;
        final List<Task> tasks = new ArrayList<>();
        final List<Long> immediateDelays;

        ManualScheduler(MutableClock clock, List<Long> immediateDelays) { this.clock = clock; this.immediateDelays = immediateDelays; }

        final class Task implements ScheduledFuture<Object> {
            final long due;
            final Runnable body;
            boolean cancelled;
            boolean done;

            Task(long due, Runnable body) { this.due = due; this.body = body; }
            @Override public long getDelay(TimeUnit unit) { return unit.convert(due - clock.millis, TimeUnit.MILLISECONDS); }
            @Override public int compareTo(Delayed o) { return Long.compare(getDelay(TimeUnit.MILLISECONDS), o.getDelay(TimeUnit.MILLISECONDS)); }
            @Override public boolean cancel(boolean interrupt) { if (done) return false; cancelled = true; done = true; return true; }
            @Override public boolean isCancelled() { return cancelled; }
            @Override public boolean isDone() { return done; }
            @Override public Object get() { return null; }
            @Override public Object get(long timeout, TimeUnit unit) { return null; }
        }

        void reset() { tasks.clear(); }

        void advance(long ms) {
            long target = clock.millis + ms;
            while (true) {
                Task next = null;
                for (Task task : tasks) {
                    if (!task.done && task.due <= target && (next == null || task.due < next.due)) next = task;
                }
                if (next == null) break;
                tasks.remove(next);
                clock.millis = Math.max(clock.millis, next.due);
                next.done = true;
                try { next.body.run(); } catch (RuntimeException ignored) { /* as an executor swallows it */ }
            }
            clock.millis = target;
        }

        @Override public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            if (immediateDelays != null) {
                // The retry's waits: noted, then run at once (the retry reads no clock).
                immediateDelays.add(unit.toMillis(delay));
                Task task = new Task(clock.millis, command);
                task.done = true;
                command.run();
                return task;
            }
            Task task = new Task(clock.millis + unit.toMillis(delay), command);
            tasks.add(task);
            return task;
        }
        @Override public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) { throw new UnsupportedOperationException(); }
        @Override public ScheduledFuture<?> scheduleAtFixedRate(Runnable c, long i, long p, TimeUnit u) { throw new UnsupportedOperationException(); }
        @Override public ScheduledFuture<?> scheduleWithFixedDelay(Runnable c, long i, long d, TimeUnit u) { throw new UnsupportedOperationException(); }
        @Override public void shutdown() { }
        @Override public List<Runnable> shutdownNow() { return List.of(); }
        @Override public boolean isShutdown() { return false; }
        @Override public boolean isTerminated() { return false; }
        @Override public boolean awaitTermination(long timeout, TimeUnit unit) { return true; }
        @Override public void execute(Runnable command) { command.run(); }
    }

    static final class RecordedException extends RuntimeException { RecordedException() { super("recorded", null, false, false); } }
    static final class IgnoredException extends RuntimeException { IgnoredException() { super("ignored", null, false, false); } }
    static final class OtherException extends RuntimeException { OtherException() { super("other", null, false, false); } }

    static final MutableClock CLOCK = new MutableClock();
    static final ManualScheduler SCHEDULER = new ManualScheduler(CLOCK, null);
    static final List<Long> RETRY_WAITS = new ArrayList<>();
    static final ManualScheduler RETRY_SCHEDULER = new ManualScheduler(CLOCK, RETRY_WAITS);

    public static void main(String[] args) throws Exception {
        installScheduler();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) continue;
            String[] tokens = line.trim().split(" ");
            String id = tokens[1];
            try {
                out.println(id + " " + run(tokens));
            } catch (RuntimeException e) {
                out.println(id + " ERR " + e.getClass().getSimpleName() + ":" + String.valueOf(e.getMessage()).replace(' ', '_'));
            }
            out.flush();
        }
    }

    /**
     * The automatic OPEN → HALF_OPEN transition and maxWaitDurationInHalfOpenState run on
     * SchedulerFactory's private single-thread executor; it is swapped for the manual scheduler so
     * that they fire on the harness's clock instead of the wall clock.
     */
    static void installScheduler() throws Exception {
        Class<?> holder = Class.forName("io.github.resilience4j.circuitbreaker.internal.SchedulerFactory$SchedulerFactoryInstance");
        Field field = holder.getDeclaredField("lazyScheduler");
        Field theUnsafe = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
        theUnsafe.setAccessible(true);
        sun.misc.Unsafe unsafe = (sun.misc.Unsafe) theUnsafe.get(null);
        io.github.resilience4j.circuitbreaker.internal.SchedulerFactory.getInstance().getScheduler();
        @SuppressWarnings("deprecation") Object base = unsafe.staticFieldBase(field);
        @SuppressWarnings("deprecation") long offset = unsafe.staticFieldOffset(field);
        unsafe.putObjectVolatile(base, offset, SCHEDULER);
    }

    static String run(String[] tokens) {
        CLOCK.millis = START_MILLIS;
        SCHEDULER.reset();
        Map<String, String> config = tokens.length > 2 ? parseConfig(tokens[2]) : Map.of();
        List<String> ops = new ArrayList<>();
        for (int i = 3; i < tokens.length; i++) ops.add(tokens[i]);
        switch (tokens[0]) {
            case "CB": return circuitBreaker(config, ops);
            case "RT": return retry(config, ops);
            case "RL": return rateLimiter(config, ops);
            case "BH": return bulkhead(config, ops);
            case "DF": return defaults();
            default: throw new IllegalArgumentException("unknown kind " + tokens[0]);
        }
    }

    static Map<String, String> parseConfig(String text) {
        Map<String, String> config = new HashMap<>();
        if (text.equals("-")) return config;
        for (String pair : text.split(";")) {
            int eq = pair.indexOf('=');
            config.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return config;
    }

    static int intOf(Map<String, String> c, String key, int fallback) { return c.containsKey(key) ? Integer.parseInt(c.get(key)) : fallback; }
    static long longOf(Map<String, String> c, String key, long fallback) { return c.containsKey(key) ? Long.parseLong(c.get(key)) : fallback; }

    // ---- circuit breaker ---------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    static String circuitBreaker(Map<String, String> c, List<String> ops) {
        CircuitBreakerConfig.Builder builder = CircuitBreakerConfig.custom()
            .clock(CLOCK)
            .failureRateThreshold(Float.parseFloat(c.getOrDefault("failureRateThreshold", "50")))
            .slowCallRateThreshold(Float.parseFloat(c.getOrDefault("slowCallRateThreshold", "100")))
            .slowCallDurationThreshold(Duration.ofMillis(longOf(c, "slowCallDurationThreshold", 60_000)))
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.valueOf(c.getOrDefault("slidingWindowType", "COUNT_BASED")))
            .slidingWindowSize(intOf(c, "slidingWindowSize", 100))
            .minimumNumberOfCalls(intOf(c, "minimumNumberOfCalls", 100))
            .permittedNumberOfCallsInHalfOpenState(intOf(c, "permittedNumberOfCallsInHalfOpenState", 10))
            .automaticTransitionFromOpenToHalfOpenEnabled(Boolean.parseBoolean(c.getOrDefault("automaticTransition", "false")))
            .maxWaitDurationInHalfOpenState(Duration.ofMillis(longOf(c, "maxWaitDurationInHalfOpenState", 0)))
            .transitionToStateAfterWaitDuration(CircuitBreaker.State.valueOf(c.getOrDefault("transitionToStateAfterWaitDuration", "OPEN")))
            .ignoreExceptions(IgnoredException.class);
        long wait = longOf(c, "waitDurationInOpenState", 60_000);
        if (c.containsKey("exponentialBackoffMultiplier")) {
            builder.waitIntervalFunctionInOpenState(IntervalFunction.ofExponentialBackoff(
                wait, Double.parseDouble(c.get("exponentialBackoffMultiplier")), longOf(c, "exponentialMaxWaitDurationInOpenState", 600_000)));
        } else {
            builder.waitDurationInOpenState(Duration.ofMillis(wait));
        }
        if (Boolean.parseBoolean(c.getOrDefault("recordOnlyRecordedException", "false"))) {
            builder.recordExceptions(RecordedException.class);
        }
        if (c.containsKey("initialState")) builder.initialState(CircuitBreaker.State.valueOf(c.get("initialState")));
        CircuitBreaker breaker = CircuitBreaker.of("harness", builder.build());
        List<String> events = new ArrayList<>();
        breaker.getEventPublisher().onEvent(event -> events.add(
            event instanceof CircuitBreakerOnStateTransitionEvent
                ? "ST:" + ((CircuitBreakerOnStateTransitionEvent) event).getStateTransition().name()
                : event.getEventType().name()));
        StringBuilder out = new StringBuilder();
        for (String op : ops) {
            events.clear();
            String permit = cbStep(breaker, op);
            CircuitBreaker.Metrics m = breaker.getMetrics();
            out.append(breaker.getState()).append('/').append(permit)
                .append('/').append(m.getFailureRate()).append('/').append(m.getSlowCallRate())
                .append('/').append(m.getNumberOfBufferedCalls()).append('/').append(m.getNumberOfFailedCalls())
                .append('/').append(m.getNumberOfSlowCalls()).append('/').append(m.getNumberOfSlowFailedCalls())
                .append('/').append(m.getNumberOfNotPermittedCalls())
                .append('/').append(events.isEmpty() ? "_" : String.join(",", events)).append(' ');
        }
        return out.toString().trim();
    }

    static String cbStep(CircuitBreaker breaker, String op) {
        char code = op.charAt(0);
        try {
            switch (code) {
                case 's': case 'e': case 'i': case 'n': {
                    long duration = Long.parseLong(op.substring(1));
                    if (!breaker.tryAcquirePermission()) return "N";
                    SCHEDULER.advance(duration);
                    if (code == 's') breaker.onSuccess(duration, TimeUnit.MILLISECONDS);
                    else breaker.onError(duration, TimeUnit.MILLISECONDS,
                        code == 'e' ? new RecordedException() : code == 'i' ? new IgnoredException() : new OtherException());
                    return "P";
                }
                case 't': SCHEDULER.advance(Long.parseLong(op.substring(1))); return "-";
                case 'F': breaker.transitionToForcedOpenState(); return "-";
                case 'D': breaker.transitionToDisabledState(); return "-";
                case 'M': breaker.transitionToMetricsOnlyState(); return "-";
                case 'C': breaker.transitionToClosedState(); return "-";
                case 'H': breaker.transitionToHalfOpenState(); return "-";
                case 'O': breaker.transitionToOpenState(); return "-";
                case 'R': breaker.reset(); return "-";
                case 'm': return "-";
                default: throw new IllegalArgumentException("unknown op " + op);
            }
        } catch (IllegalStateTransitionException e) {
            return "X";
        }
    }

    // ---- retry -------------------------------------------------------------------------------

    static String retry(Map<String, String> c, List<String> calls) {
        RetryConfig.Builder<Object> builder = RetryConfig.custom()
            .maxAttempts(intOf(c, "maxAttempts", 3))
            .failAfterMaxAttempts(Boolean.parseBoolean(c.getOrDefault("failAfterMaxAttempts", "false")))
            .ignoreExceptions(IgnoredException.class)
            .retryOnResult(result -> "R".equals(result));
        long wait = longOf(c, "waitDuration", 500);
        if (c.containsKey("exponentialBackoffMultiplier")) {
            double multiplier = Double.parseDouble(c.get("exponentialBackoffMultiplier"));
            builder.intervalFunction(c.containsKey("exponentialMaxWaitDuration")
                ? IntervalFunction.ofExponentialBackoff(wait, multiplier, Long.parseLong(c.get("exponentialMaxWaitDuration")))
                : IntervalFunction.ofExponentialBackoff(wait, multiplier));
        } else {
            builder.waitDuration(Duration.ofMillis(wait));
        }
        if (Boolean.parseBoolean(c.getOrDefault("retryOnlyRecordedException", "false"))) {
            builder.retryExceptions(RecordedException.class);
        }
        Retry retry = Retry.of("harness", builder.build());
        List<String> events = new ArrayList<>();
        retry.getEventPublisher().onEvent(event -> events.add(event.getEventType().name() + ":" + event.getNumberOfRetryAttempts()));
        StringBuilder out = new StringBuilder();
        for (String call : calls) {
            events.clear();
            RETRY_WAITS.clear();
            int[] attempt = {0};
            String outcome;
            // The CompletionStage path (Retry.AsyncContext), which a promise-returning call matches.
            Supplier<CompletionStage<Object>> attempts = () -> {
                char code = attempt[0] < call.length() ? call.charAt(attempt[0]) : 'S';
                attempt[0]++;
                switch (code) {
                    case 'E': return CompletableFuture.failedFuture(new RecordedException());
                    case 'I': return CompletableFuture.failedFuture(new IgnoredException());
                    case 'N': return CompletableFuture.failedFuture(new OtherException());
                    case 'R': return CompletableFuture.completedFuture("R");
                    default: return CompletableFuture.completedFuture("S");
                }
            };
            try {
                outcome = String.valueOf(Retry.decorateCompletionStage(retry, RETRY_SCHEDULER, attempts).get().toCompletableFuture().join());
            } catch (CompletionException e) {
                Throwable cause = e.getCause();
                outcome = cause instanceof MaxRetriesExceededException ? "MAX" : "E:" + cause.getClass().getSimpleName();
            }
            Retry.Metrics m = retry.getMetrics();
            List<String> waitTexts = new ArrayList<>();
            for (Long w : RETRY_WAITS) waitTexts.add(String.valueOf(w));
            out.append(outcome).append('/').append(attempt[0])
                .append('/').append(waitTexts.isEmpty() ? "_" : String.join(",", waitTexts))
                .append('/').append(m.getNumberOfSuccessfulCallsWithoutRetryAttempt())
                .append('/').append(m.getNumberOfSuccessfulCallsWithRetryAttempt())
                .append('/').append(m.getNumberOfFailedCallsWithoutRetryAttempt())
                .append('/').append(m.getNumberOfFailedCallsWithRetryAttempt())
                .append('/').append(m.getNumberOfTotalCalls())
                .append('/').append(events.isEmpty() ? "_" : String.join(",", events)).append(' ');
        }
        return out.toString().trim();
    }

    // ---- rate limiter ------------------------------------------------------------------------

    static String rateLimiter(Map<String, String> c, List<String> ops) {
        RateLimiterConfig config = RateLimiterConfig.custom()
            .limitForPeriod(intOf(c, "limitForPeriod", 50))
            .limitRefreshPeriod(Duration.ofNanos(longOf(c, "limitRefreshPeriodNanos", 500)))
            .timeoutDuration(Duration.ofMillis(longOf(c, "timeoutDuration", 5000)))
            .build();
        RateLimiter limiter = RateLimiter.of("harness", config, () -> CLOCK.millis * 1_000_000L);
        StringBuilder out = new StringBuilder();
        for (String op : ops) {
            String result;
            switch (op.charAt(0)) {
                case 't': SCHEDULER.advance(Long.parseLong(op.substring(1))); result = "-"; break;
                case 'r': result = String.valueOf(limiter.reservePermission(Integer.parseInt(op.substring(1)))); break;
                case 'a': result = limiter.acquirePermission(Integer.parseInt(op.substring(1))) ? "P" : "N"; break;
                case 'd': limiter.drainPermissions(); result = "-"; break;
                case 'm': result = "-"; break;
                default: throw new IllegalArgumentException("unknown op " + op);
            }
            out.append(result).append('/').append(limiter.getMetrics().getAvailablePermissions()).append(' ');
        }
        return out.toString().trim();
    }

    // ---- bulkhead ----------------------------------------------------------------------------

    static String bulkhead(Map<String, String> c, List<String> ops) {
        Bulkhead bulkhead = Bulkhead.of("harness", BulkheadConfig.custom()
            .maxConcurrentCalls(intOf(c, "maxConcurrentCalls", 25))
            .maxWaitDuration(Duration.ZERO)
            .build());
        List<String> events = new ArrayList<>();
        bulkhead.getEventPublisher().onEvent(event -> events.add(event.getEventType().name()));
        int held = 0;
        StringBuilder out = new StringBuilder();
        for (String op : ops) {
            events.clear();
            String result = "-";
            if (op.equals("a")) {
                boolean permitted = bulkhead.tryAcquirePermission();
                if (permitted) held++;
                result = permitted ? "P" : "N";
            } else if (op.equals("c") && held > 0) {
                bulkhead.onComplete();
                held--;
            }
            out.append(result).append('/').append(bulkhead.getMetrics().getAvailableConcurrentCalls())
                .append('/').append(events.isEmpty() ? "_" : String.join(",", events)).append(' ');
        }
        return out.toString().trim();
    }

    // ---- defaults ----------------------------------------------------------------------------

    static String defaults() {
        CircuitBreakerConfig cb = CircuitBreakerConfig.ofDefaults();
        RetryConfig rt = RetryConfig.ofDefaults();
        BulkheadConfig bh = BulkheadConfig.ofDefaults();
        RateLimiterConfig rl = RateLimiterConfig.ofDefaults();
        TimeLimiterConfig tl = TimeLimiterConfig.ofDefaults();
        return String.join(" ",
            "cb.failureRateThreshold=" + cb.getFailureRateThreshold(),
            "cb.slowCallRateThreshold=" + cb.getSlowCallRateThreshold(),
            "cb.slowCallDurationThreshold=" + cb.getSlowCallDurationThreshold().toMillis(),
            "cb.waitDurationInOpenState=" + cb.getWaitIntervalFunctionInOpenState().apply(1),
            "cb.permittedNumberOfCallsInHalfOpenState=" + cb.getPermittedNumberOfCallsInHalfOpenState(),
            "cb.minimumNumberOfCalls=" + cb.getMinimumNumberOfCalls(),
            "cb.slidingWindowSize=" + cb.getSlidingWindowSize(),
            "cb.slidingWindowType=" + cb.getSlidingWindowType(),
            "cb.automaticTransitionFromOpenToHalfOpenEnabled=" + cb.isAutomaticTransitionFromOpenToHalfOpenEnabled(),
            "cb.maxWaitDurationInHalfOpenState=" + cb.getMaxWaitDurationInHalfOpenState().toMillis(),
            "cb.transitionToStateAfterWaitDuration=" + cb.getTransitionToStateAfterWaitDuration(),
            "retry.maxAttempts=" + rt.getMaxAttempts(),
            "retry.waitDuration=" + rt.getIntervalBiFunction().apply(1, null),
            "bulkhead.maxConcurrentCalls=" + bh.getMaxConcurrentCalls(),
            "bulkhead.maxWaitDuration=" + bh.getMaxWaitDuration().toMillis(),
            "ratelimiter.limitForPeriod=" + rl.getLimitForPeriod(),
            "ratelimiter.limitRefreshPeriodNanos=" + rl.getLimitRefreshPeriod().toNanos(),
            "ratelimiter.timeoutDuration=" + rl.getTimeoutDuration().toMillis(),
            "timelimiter.timeoutDuration=" + tl.getTimeoutDuration().toMillis(),
            "timelimiter.cancelRunningFuture=" + tl.shouldCancelRunningFuture());
    }
}
