package org.mxguard.spool;

import java.time.Clock;
import java.time.Instant;
import org.mxguard.mail.QueueId;

/**
 * Makes queue ids: 11 base-32 digits of microseconds since the epoch (enough until the year 3111),
 * then 2 digits of a sequence within that microsecond. The digits are 0-9 then A-V, which sort as
 * ASCII in numeric order, so ids compare as strings in the order they were made.
 *
 * <p>Ids never repeat and never go backwards, even when the clock does: a microsecond whose 1024
 * sequence values are used up borrows the next one, and a clock behind the newest id seen (after a
 * restart, see {@link #notBefore}) keeps counting from that id.
 */
final class QueueIdSource {

    private static final char[] DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUV".toCharArray();
    private static final int TIME_DIGITS = 11;
    private static final int SEQUENCE_DIGITS = 2;
    private static final int SEQUENCE_LIMIT = 1 << (5 * SEQUENCE_DIGITS);
    static final int LENGTH = TIME_DIGITS + SEQUENCE_DIGITS;

    private final Clock clock;
    private long lastMicros = -1;
    private int sequence;

    QueueIdSource(Clock clock) {
        this.clock = clock;
    }

    synchronized QueueId next() {
        long now = micros(clock.instant());
        if (now > lastMicros) {
            lastMicros = now;
            sequence = 0;
        } else if (++sequence == SEQUENCE_LIMIT) {
            lastMicros++;
            sequence = 0;
        }
        char[] id = new char[LENGTH];
        encode(lastMicros, id, 0, TIME_DIGITS);
        encode(sequence, id, TIME_DIGITS, SEQUENCE_DIGITS);
        return new QueueId(new String(id));
    }

    /** Makes every later id sort after {@code existing}, if it is an id of this form. */
    synchronized void notBefore(QueueId existing) {
        String value = existing.value();
        if (value.length() != LENGTH) {
            return;
        }
        long micros = decode(value, 0, TIME_DIGITS);
        long seq = decode(value, TIME_DIGITS, SEQUENCE_DIGITS);
        if (micros < 0 || seq < 0) {
            return;
        }
        if (micros > lastMicros || (micros == lastMicros && seq > sequence)) {
            lastMicros = micros;
            sequence = (int) seq;
        }
    }

    private static long micros(Instant instant) {
        if (instant.getEpochSecond() < 0) {
            return 0;
        }
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
    }

    private static void encode(long value, char[] out, int offset, int digits) {
        long rest = value;
        for (int i = offset + digits - 1; i >= offset; i--) {
            out[i] = DIGITS[(int) (rest & 31)];
            rest >>>= 5;
        }
    }

    /** The value of base-32 digits, or -1 if one is not a digit of this alphabet. */
    private static long decode(String text, int offset, int digits) {
        long value = 0;
        for (int i = offset; i < offset + digits; i++) {
            char c = text.charAt(i);
            int d = c <= '9' ? c - '0' : c - 'A' + 10;
            if (d < 0 || d > 31) {
                return -1;
            }
            value = value << 5 | d;
        }
        return value;
    }
}
