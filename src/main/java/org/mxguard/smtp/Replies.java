package org.mxguard.smtp;

import java.util.ArrayList;
import java.util.List;
import org.mxguard.mail.Reply;

/**
 * Every reply text the SMTP server sends, in one place. Codes follow RFC 5321 §4.2 and the
 * enhanced status codes RFC 3463; texts follow Postfix where a Postfix text exists, so log
 * tools and humans recognise them.
 */
final class Replies {

    static final Reply OK = Reply.of(250, "2.0.0", "Ok");
    static final Reply SENDER_OK = Reply.of(250, "2.1.0", "Ok");
    static final Reply RECIPIENT_OK = Reply.of(250, "2.1.5", "Ok");
    static final Reply START_DATA = Reply.of(354, null, "End data with <CR><LF>.<CR><LF>");
    static final Reply BYE = Reply.of(221, "2.0.0", "Bye");
    static final Reply READY_TO_START_TLS = Reply.of(220, "2.0.0", "Ready to start TLS");
    static final Reply VRFY = Reply.of(252, "2.5.2", "Cannot VRFY user, but will accept message and attempt delivery");
    static final Reply HELP = Reply.of(214, "2.0.0", "See https://www.rfc-editor.org/rfc/rfc5321");

    // RFC 5321 §4.2.4 and RFC 3463 X.5.x: protocol errors
    static final Reply UNKNOWN_COMMAND = Reply.of(500, "5.5.2", "Error: command not recognized");
    static final Reply LINE_TOO_LONG = Reply.of(500, "5.5.2", "Error: line too long");
    static final Reply NUL_IN_COMMAND = Reply.of(500, "5.5.2", "Error: NUL character in command");
    static final Reply CONTROL_IN_COMMAND = Reply.of(501, "5.5.2", "Error: control character in command");
    static final Reply EIGHT_BIT_COMMAND = Reply.of(501, "5.5.2", "Error: 8-bit characters in command without SMTPUTF8");
    static final Reply BAD_UTF8 = Reply.of(501, "5.5.2", "Error: command is not valid UTF-8");
    static final Reply NOT_IMPLEMENTED = Reply.of(502, "5.5.1", "Error: command not implemented");
    static final Reply SEND_HELO_FIRST = Reply.of(503, "5.5.1", "Error: send HELO/EHLO first");
    static final Reply NESTED_MAIL = Reply.of(503, "5.5.1", "Error: nested MAIL command");
    static final Reply NEED_MAIL = Reply.of(503, "5.5.1", "Error: need MAIL command");
    static final Reply NEED_RCPT = Reply.of(503, "5.5.1", "Error: need RCPT command");
    // Postfix's smtpd_forbid_unauth_pipelining reply for a client that did not wait (RFC 2920 §3.1)
    static final Reply PIPELINING_SYNCHRONIZATION = Reply.of(554, "5.5.0", "Error: SMTP protocol synchronization");
    static final Reply NO_VALID_RECIPIENTS = Reply.of(554, "5.5.1", "Error: no valid recipients");
    static final Reply TLS_ALREADY_ACTIVE = Reply.of(503, "5.5.1", "Error: TLS already active");
    static final Reply TRANSACTION_IN_PROGRESS = Reply.of(503, "5.5.1", "Error: MAIL transaction in progress");
    static final Reply HELO_SYNTAX = Reply.of(501, "5.5.4", "Syntax: HELO hostname");
    static final Reply EHLO_SYNTAX = Reply.of(501, "5.5.4", "Syntax: EHLO hostname");
    static final Reply MAIL_SYNTAX = Reply.of(501, "5.5.4", "Syntax: MAIL FROM:<address>");
    static final Reply RCPT_SYNTAX = Reply.of(501, "5.5.4", "Syntax: RCPT TO:<address>");
    static final Reply DATA_SYNTAX = Reply.of(501, "5.5.4", "Syntax: DATA");
    static final Reply RSET_SYNTAX = Reply.of(501, "5.5.4", "Syntax: RSET");
    static final Reply BAD_SIZE = Reply.of(501, "5.5.4", "Bad message size syntax");
    static final Reply STARTTLS_SYNTAX = Reply.of(501, "5.5.4", "Syntax: STARTTLS");
    static final Reply ETRN_SYNTAX = Reply.of(501, "5.5.4", "Syntax: ETRN domain");
    static final Reply BAD_PARAMETER = Reply.of(555, "5.5.4", "Unsupported option");
    static final Reply BAD_SENDER_SYNTAX = Reply.of(501, "5.1.7", "Bad sender address syntax");
    static final Reply BAD_RECIPIENT_SYNTAX = Reply.of(501, "5.1.3", "Bad recipient address syntax");
    static final Reply TOO_MANY_RECIPIENTS = Reply.of(452, "4.5.3", "Error: too many recipients");

    // RFC 1870 and RFC 3463 X.3.4: size limits
    static final Reply MESSAGE_TOO_BIG = Reply.of(552, "5.3.4", "Message size exceeds fixed limit");
    static final Reply BARE_LINE_FEED = Reply.of(550, "5.5.2", "Error: bare <LF> received");
    static final Reply BARE_CARRIAGE_RETURN = Reply.of(550, "5.5.2", "Error: bare <CR> received");
    // RFC 3463 X.4.6 "routing loop detected"; the text is Postfix's
    static final Reply TOO_MANY_HOPS = Reply.of(554, "5.4.6", "Error: too many hops");
    // Postfix's text for a lookup or configuration failure
    static final Reply POLICY_FAILURE = Reply.of(451, "4.3.5", "Server configuration problem");
    static final Reply QUEUE_WRITE_ERROR = Reply.of(451, "4.3.0", "Error: queue file write error");
    static final Reply INSUFFICIENT_STORAGE = Reply.of(452, "4.3.1", "Insufficient system storage");

    // Pre-greeting talk (postscreen's PREGREET): RFC 5321 §3.1 554 means "no SMTP service here".
    static final Reply PREGREET = Reply.of(554, "5.5.1", "Error: SMTP protocol violation");

    private Replies() {
    }

    static Reply greeting(String hostname) {
        return Reply.of(220, null, hostname + " ESMTP mxguard");
    }

    static Reply helo(String hostname) {
        return Reply.of(250, null, hostname);
    }

    /** RFC 5321 §4.1.1.1: the EHLO reply, our name first and one extension per line. */
    static Reply ehlo(String hostname, long maxSize, boolean startTls, boolean etrn) {
        List<String> lines = new ArrayList<>();
        lines.add(hostname);
        lines.add("PIPELINING");
        lines.add("SIZE " + maxSize);
        if (etrn) {
            lines.add("ETRN");
        }
        if (startTls) {
            lines.add("STARTTLS");
        }
        lines.add("ENHANCEDSTATUSCODES");
        lines.add("8BITMIME");
        lines.add("SMTPUTF8");
        return new Reply(250, null, lines);
    }

    static Reply queued(String queueId) {
        return Reply.of(250, "2.0.0", "Ok: queued as " + queueId);
    }

    /** The relay refusal, 550 5.7.1 or (to let the client retry once the configuration is fixed) 454 4.7.1. */
    static Reply relayDenied(int code, String recipient) {
        return Reply.of(code, code == 454 ? "4.7.1" : "5.7.1", "<" + recipient + ">: Relay access denied");
    }

    static Reply tooManyConnections(String hostname, String address) {
        return Reply.of(421, "4.7.0", hostname + " Error: too many connections from " + address);
    }

    static Reply tooManyErrors(String hostname) {
        return Reply.of(421, "4.7.0", hostname + " Error: too many errors");
    }

    static Reply timeout(String hostname) {
        return Reply.of(421, "4.4.2", hostname + " Error: timeout exceeded");
    }

    static Reply internalError(String hostname) {
        return Reply.of(421, "4.3.0", hostname + " Error: internal error, closing transmission channel");
    }
}
