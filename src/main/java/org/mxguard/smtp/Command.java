package org.mxguard.smtp;

import org.mxguard.mail.PathParser;
import org.mxguard.mail.Reply;

/** One parsed SMTP command line (RFC 5321 §4.1.1). */
sealed interface Command {

    /** The name under which Postfix counts the command in its disconnect line. */
    String name();

    record Helo(boolean extended, String domain) implements Command {
        @Override
        public String name() {
            return extended ? "ehlo" : "helo";
        }
    }

    /**
     * MAIL FROM.
     *
     * @param path the reverse-path
     * @param size the SIZE parameter (RFC 1870), or -1
     * @param eightBitMime BODY=8BITMIME (RFC 6152)
     * @param smtpUtf8 the SMTPUTF8 parameter (RFC 6531)
     */
    record Mail(PathParser.Result path, long size, boolean eightBitMime, boolean smtpUtf8) implements Command {
        @Override
        public String name() {
            return "mail";
        }
    }

    record Rcpt(PathParser.Result path) implements Command {
        @Override
        public String name() {
            return "rcpt";
        }
    }

    record Data() implements Command {
        @Override
        public String name() {
            return "data";
        }
    }

    record Rset() implements Command {
        @Override
        public String name() {
            return "rset";
        }
    }

    record Noop() implements Command {
        @Override
        public String name() {
            return "noop";
        }
    }

    record Quit() implements Command {
        @Override
        public String name() {
            return "quit";
        }
    }

    record Vrfy() implements Command {
        @Override
        public String name() {
            return "vrfy";
        }
    }

    record Help() implements Command {
        @Override
        public String name() {
            return "help";
        }
    }

    record StartTls() implements Command {
        @Override
        public String name() {
            return "starttls";
        }
    }

    record Etrn(String argument) implements Command {
        @Override
        public String name() {
            return "etrn";
        }
    }

    /** A verb we do not know (Postfix counts these as "unknown"). */
    record Unknown() implements Command {
        @Override
        public String name() {
            return "unknown";
        }
    }

    /**
     * A known verb with bad syntax, or a line that is no command at all.
     *
     * @param name the verb's counting name, or "unknown"
     * @param reply the error reply
     */
    record Invalid(String name, Reply reply) implements Command {
    }
}
