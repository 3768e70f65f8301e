package org.mxguard.loganalysis;

import java.io.IOException;
import java.io.InputStream;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * Reads logs in blocks of whole lines (256 KiB) and parses the blocks in parallel. One thread reads
 * (and gunzips), the pool parses, and the calling thread takes what each block gives, in log
 * order: its events ({@link #scan}), what its block join hands on ({@link #join}), or nothing (a
 * primary MX's client addresses, {@link #clientAddresses}). Memory is a few blocks in flight,
 * whatever the size of the logs.
 */
final class ParallelScanner {

    // Under half a G1 region of a 512 MB heap, so blocks are never humongous objects.
    private static final int BLOCK = 1 << 18;
    private final int block;
    // A block buffer: a block and the start of the next line, carried over from the block before.
    // Reused, so that gigabytes of logs do not become gigabytes of garbage.
    private final int spare;
    private final int clientsKept;

    /** One item in the ordered hand-over queue. */
    private record Item(int source, Future<Block> block, IOException error, boolean end) {
    }

    /**
     * What parsing one block produced: its events, or in a join (see {@link #join}) what its block
     * join handed on, with their sequence numbers, and the thread's clients if it handed them on.
     */
    record Block(List<LogEvent> events, long[] seqs, ClientTable clients, ParseCounters counters) {
    }

    /** A log that could not be read to its end. */
    record ReadError(String label, long line, String message) {
        @Override
        public String toString() {
            return label + ": line " + line + ": " + message;
        }
    }

    private final ZoneId zone;
    private final Integer year;
    private final int threads;
    final AtomicLong rawBytes = new AtomicLong();
    final ParseCounters counters = new ParseCounters();
    final List<ReadError> errors = new ArrayList<>();
    private final BlockingQueue<byte[]> spares = new ArrayBlockingQueue<>(16);
    /** Set for a scan of client addresses only (see clientAddresses): those of handed-on events, then all. */
    private Set<String> addresses;
    /** Set for a join (see join): the parsing threads have block joins. */
    private boolean joining;
    private final List<BlockJoin> allBlockJoins = new ArrayList<>();
    /** Set for a join: the second stage, and who is told the bytes read. */
    private Correlator join;
    private LongConsumer progress;
    /** Set for a scan without a join: what a block's events are written through. */
    private Function<List<LogEvent>, BlockParser.Sink> eventsOf;

    /**
     * A parsing thread, with what it keeps from block to block: its recent clients and, in a
     * join, its block join. Fields of the thread rather than thread-locals, whose first lookup in
     * each new thread is a branch the compiled parser has not met (the primary MX's log is read
     * by new threads), and would be thrown away for.
     */
    private final class Worker extends Thread {
        final BlockParser.Recent recent = new BlockParser.Recent();
        final BlockJoin join;

        Worker(Runnable r) {
            super(r, "log-parse");
            setDaemon(true);
            join = joining ? new BlockJoin(clientsKept) : null;
            if (join != null) {
                synchronized (allBlockJoins) {
                    allBlockJoins.add(join);
                }
            }
        }
    }

    ParallelScanner(ZoneId zone, Integer year, int threads) {
        this(zone, year, threads, BLOCK);
    }

    /** With blocks of {@code block} bytes (the tests use small ones, to split more messages). */
    ParallelScanner(ZoneId zone, Integer year, int threads, int block) {
        this(zone, year, threads, block, BlockJoin.CLIENTS_KEPT);
    }

    /** Also with the clients a parsing thread keeps statistics of (see BlockJoin.end). */
    ParallelScanner(ZoneId zone, Integer year, int threads, int block, int clientsKept) {
        this.zone = zone;
        this.year = year;
        this.threads = Math.max(1, threads);
        this.block = block;
        this.spare = block + Math.max(block / 4, 256);
        this.clientsKept = clientsKept;
    }

    /**
     * The client addresses the logs name, for a primary MX's log, where nothing else is wanted.
     * The blocks are joined as a backup MX's are, down the same compiled code (a parser meeting a
     * second kind of sink would be compiled anew), but the lines that cannot name a client are
     * passed over unparsed; the addresses are those of the parsing threads' clients and of the
     * events their blocks hand on, and no event reaches the calling thread.
     */
    Set<String> clientAddresses(List<LogSource> sources) {
        addresses = ConcurrentHashMap.newKeySet(1 << 10);
        joining = true;
        run(sources, e -> { });
        synchronized (allBlockJoins) {
            for (BlockJoin j : allBlockJoins) {
                for (ClientStats c : j.clients.all()) {
                    addresses.add(c.ip);
                }
            }
        }
        return addresses;
    }

    /**
     * Joins the logs' events into {@code join}, in two stages (see {@link Correlator}): each
     * parsing thread joins its own blocks, and this thread joins, in log order, what they hand on,
     * then adds up the threads' statistics.
     *
     * @param progress told the number of raw bytes read so far, after each block (may be null)
     */
    void join(List<LogSource> sources, Correlator join, LongConsumer progress) {
        this.join = join;
        this.progress = progress;
        joining = true;
        run(sources, e -> { });
        // The parsing threads have ended (the pool is closed): their statistics are complete.
        synchronized (allBlockJoins) {
            allBlockJoins.forEach(join::add);
        }
    }

    /**
     * Hands every line's events to {@code sink}, in log order, without a join: each block's parser
     * writes to the sink {@code eventsOf} makes of a list (the tests' view of what a join is given).
     */
    void scan(List<LogSource> sources, Function<List<LogEvent>, BlockParser.Sink> eventsOf,
            Consumer<LogEvent> sink) {
        this.eventsOf = eventsOf;
        run(sources, sink);
    }

    private void run(List<LogSource> sources, Consumer<LogEvent> sink) {
        BlockingQueue<Item> queue = new ArrayBlockingQueue<>(threads * 3 + 2);
        try (ExecutorService pool = Executors.newFixedThreadPool(threads, Worker::new)) {
            Thread reader = Thread.ofPlatform().name("log-read").daemon().start(() -> read(sources, pool, queue));
            long[] linesPerSource = new long[sources.size()];
            while (true) {
                Item item = take(queue);
                if (item.end()) {
                    break;
                }
                if (item.error() != null) {
                    errors.add(new ReadError(sources.get(item.source()).label(), linesPerSource[item.source()] + 1,
                            describe(item.error())));
                    continue;
                }
                deliver(item, linesPerSource, sink);
            }
            joinQuietly(reader);
        }
    }

    /**
     * Hands one parsed block's events to the sink. A method of its own, called per block: the JIT
     * compiles this small loop, with the sink inlined, once, rather than the whole of scan over
     * and over (on-stack replacement at each loop, then again for the next scan).
     */
    private void deliver(Item item, long[] linesPerSource, Consumer<LogEvent> sink) {
        Block block = get(item.block());
        linesPerSource[item.source()] += block.counters().lines;
        counters.add(block.counters());
        long[] seqs = block.seqs();
        if (seqs != null) {
            List<LogEvent> events = block.events();
            for (int i = 0; i < events.size(); i++) {
                join.accept(events.get(i), seqs[i]);
            }
            if (block.clients() != null) {
                join.add(block.clients());
            }
            if (progress != null) {
                progress.accept(rawBytes.get());
            }
            return;
        }
        for (LogEvent e : block.events()) {
            sink.accept(e);
        }
    }

    private void read(List<LogSource> sources, ExecutorService pool, BlockingQueue<Item> queue) {
        // Blocks are numbered through all the logs: a block's events are numbered after it.
        long blocks = 0;
        for (int i = 0; i < sources.size(); i++) {
            LogSource source = sources.get(i);
            ZonedDateTime ref = source.referenceTime(zone);
            int refYear = year != null ? year : ref.getYear();
            int refMonth = year != null ? 12 : ref.getMonthValue();
            int index = i;
            byte[] carry = new byte[0];
            try (InputStream in = source.open(rawBytes)) {
                while (true) {
                    byte[] buf = carry.length <= spare - block ? spare() : new byte[carry.length + block];
                    System.arraycopy(carry, 0, buf, 0, carry.length);
                    int limit = carry.length + block;
                    int filled = carry.length;
                    int n;
                    while (filled < limit && (n = in.read(buf, filled, limit - filled)) > 0) {
                        filled += n;
                    }
                    if (filled == 0) {
                        recycle(buf);
                        break;
                    }
                    boolean eof = filled < limit;
                    int cut = eof ? filled : lastNewline(buf, filled) + 1;
                    if (cut == 0) {
                        // One line longer than a block: keep it whole in a bigger block.
                        carry = Arrays.copyOf(buf, filled);
                        recycle(buf);
                        continue;
                    }
                    byte[] block = buf;
                    int length = cut;
                    carry = Arrays.copyOfRange(buf, cut, filled);
                    long number = blocks++;
                    put(queue, new Item(index, pool.submit(() -> parse(block, length, refYear, refMonth, number)), null,
                            false));
                    if (eof && carry.length == 0) {
                        break;
                    }
                }
            } catch (IOException e) {
                if (carry.length > 0) {
                    byte[] rest = carry;
                    long number = blocks++;
                    put(queue, new Item(index, pool.submit(() -> parse(rest, rest.length, refYear, refMonth, number)),
                            null, false));
                }
                put(queue, new Item(index, null, e, false));
            }
        }
        put(queue, new Item(-1, null, null, true));
    }

    private Block parse(byte[] buf, int length, int refYear, int refMonth, long number) {
        ParseCounters c = new ParseCounters();
        Worker worker = (Worker) Thread.currentThread();
        BlockParser parser = new BlockParser(zone, refYear, refMonth, c, worker.recent);
        // Whatever is kept of a line is copied out of the block: it can take the next bytes after.
        if (joining) {
            BlockJoin join = worker.join;
            BlockJoin.Handoff out = new BlockJoin.Handoff();
            // Sequence numbers: the block's number, then the event's place in the block.
            join.begin(number << 32, out);
            (addresses != null ? parser.clientsOnly() : parser).parse(buf, length, join);
            join.end();
            recycle(buf);
            if (addresses != null) {
                for (LogEvent e : out.events) {
                    if (e.clientIp() != null) {
                        addresses.add(e.clientIp());
                    }
                }
                if (out.clients != null) {
                    out.clients.all().forEach(s -> addresses.add(s.ip));
                }
                return new Block(List.of(), null, null, c);
            }
            return new Block(out.events, out.seqs, out.clients, c);
        }
        List<LogEvent> events = new ArrayList<>(length / 64);
        parser.parse(buf, length, eventsOf.apply(events));
        recycle(buf);
        return new Block(events, null, null, c);
    }

    private byte[] spare() {
        byte[] b = spares.poll();
        return b != null ? b : new byte[spare];
    }

    private void recycle(byte[] b) {
        if (b.length == spare) {
            spares.offer(b);
        }
    }

    private static int lastNewline(byte[] buf, int filled) {
        for (int i = filled - 1; i >= 0; i--) {
            if (buf[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static String describe(IOException e) {
        if (e instanceof java.io.EOFException) {
            return "file is truncated (unexpected end of compressed data)";
        }
        if (e instanceof java.util.zip.ZipException) {
            return "corrupt compressed data: " + e.getMessage();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static Item take(BlockingQueue<Item> queue) {
        try {
            return queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading logs", e);
        }
    }

    private static void put(BlockingQueue<Item> queue, Item item) {
        try {
            queue.put(item);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Block get(Future<Block> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while parsing logs", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("parser failed: " + e.getCause(), e.getCause());
        }
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
