package org.mxguard.spool;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.mxguard.mail.MailAddress;

/**
 * The text of a delivery-state file (format version 1, see docs/spool-format.md). It is only a
 * {@link HeaderText}: its closing empty line is what tells a whole file from a torn one.
 */
final class StateFile {

    static final String KIND = "mxguard-spool-state";
    static final int VERSION = 1;

    private static final Set<String> FIELDS = Set.of("attempts", "next-attempt", "last-error", "held", "warned",
            "pending");

    private StateFile() {
    }

    static byte[] encode(DeliveryState state) {
        if (state.nextAttempt() == null || state.attempts() < 0) {
            throw new IllegalArgumentException("a delivery state needs a next attempt time and attempts >= 0");
        }
        HeaderText text = new HeaderText(KIND, VERSION)
                .put("attempts", Integer.toString(state.attempts()))
                .put("next-attempt", state.nextAttempt().toString());
        if (state.lastError() != null) {
            text.put("last-error", FieldValue.escape(state.lastError()));
        }
        text.put("held", Boolean.toString(state.held()))
                .put("warned", Boolean.toString(state.warned()));
        for (MailAddress rcpt : state.pending()) {
            text.put("pending", AddressField.encode(rcpt));
        }
        return text.finish();
    }

    static DeliveryState read(InputStream in) throws IOException {
        HeaderFields f = HeaderText.read(in, KIND, VERSION).fields();
        f.requireOnly(FIELDS);
        if (in.read() >= 0) {
            throw new SpoolFormatException("octets after the end of the state");
        }
        List<MailAddress> pending = new ArrayList<>();
        for (String rcpt : f.all("pending")) {
            pending.add(AddressField.decode(rcpt));
        }
        long attempts = f.number("attempts", 0);
        if (attempts > Integer.MAX_VALUE) {
            throw new SpoolFormatException("attempts out of range: " + attempts);
        }
        String lastError = f.optional("last-error");
        return new DeliveryState(pending, (int) attempts, MessageHeader.instant(f.one("next-attempt")),
                lastError == null ? null : FieldValue.unescape(lastError), f.bool("held"), f.bool("warned"));
    }
}
