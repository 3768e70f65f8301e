package org.mxguard.smtp;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import org.mxguard.mail.PathParser;
import org.mxguard.mail.Reply;

/**
 * Turns one command line into a {@link Command}: octet checks first (NUL, control characters,
 * 8-bit), then the verb, then that verb's arguments. Sequence rules are the session's job.
 */
final class CommandParser {

    private CommandParser() {
    }

    /**
     * Parses a line.
     *
     * @param line the line without CRLF
     * @param utf8Transaction true while a transaction declared SMTPUTF8, which allows UTF-8 in RCPT
     */
    static Command parse(byte[] line, boolean utf8Transaction) {
        boolean eightBit = false;
        for (byte b : line) {
            if (b == 0) {
                return new Command.Invalid("unknown", Replies.NUL_IN_COMMAND);
            }
            if (b < 0) {
                eightBit = true;
            } else if ((b < 0x20 && b != '\t') || b == 0x7f) {
                return new Command.Invalid("unknown", Replies.CONTROL_IN_COMMAND);
            }
        }
        String text = new String(line, StandardCharsets.ISO_8859_1);
        boolean validUtf8 = true;
        if (eightBit) {
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(line)).toString();
            } catch (CharacterCodingException e) {
                validUtf8 = false;
            }
        }
        Command command = parseText(text, utf8Transaction || eightBit);
        if (eightBit && !eightBitAllowed(command, utf8Transaction)) {
            return new Command.Invalid(command.name(), Replies.EIGHT_BIT_COMMAND);
        }
        if (!validUtf8) {
            return new Command.Invalid(command.name(), Replies.BAD_UTF8);
        }
        return command;
    }

    // RFC 6531 §3.3: UTF-8 only in the addresses of a transaction that declared SMTPUTF8
    private static boolean eightBitAllowed(Command command, boolean utf8Transaction) {
        return switch (command) {
            case Command.Mail mail -> mail.smtpUtf8();
            case Command.Rcpt ignored -> utf8Transaction;
            default -> false;
        };
    }

    private static Command parseText(String text, boolean utf8) {
        int space = text.indexOf(' ');
        String verb = (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT);
        String argument = space < 0 ? "" : text.substring(space + 1);
        return switch (verb) {
            case "HELO" -> argument.isBlank() ? new Command.Invalid("helo", Replies.HELO_SYNTAX)
                    : new Command.Helo(false, argument.strip());
            case "EHLO" -> argument.isBlank() ? new Command.Invalid("ehlo", Replies.EHLO_SYNTAX)
                    : new Command.Helo(true, argument.strip());
            case "MAIL" -> mail(argument, utf8);
            case "RCPT" -> rcpt(argument, utf8);
            case "DATA" -> noArgument(argument, new Command.Data(), Replies.DATA_SYNTAX);
            case "RSET" -> noArgument(argument, new Command.Rset(), Replies.RSET_SYNTAX);
            case "NOOP" -> new Command.Noop();
            case "QUIT" -> new Command.Quit();
            case "VRFY" -> new Command.Vrfy();
            case "HELP" -> new Command.Help();
            case "STARTTLS" -> noArgument(argument, new Command.StartTls(), Replies.STARTTLS_SYNTAX);
            case "ETRN" -> argument.isBlank() ? new Command.Invalid("etrn", Replies.ETRN_SYNTAX)
                    : new Command.Etrn(argument.strip());
            default -> new Command.Unknown();
        };
    }

    private static Command noArgument(String argument, Command command, Reply syntax) {
        return argument.isBlank() ? command : new Command.Invalid(command.name(), syntax);
    }

    private static Command mail(String argument, boolean utf8) {
        Optional<String> rest = afterKeyword(argument, "FROM:");
        if (rest.isEmpty()) {
            return new Command.Invalid("mail", Replies.MAIL_SYNTAX);
        }
        String pathAndParameters = rest.get();
        Optional<Integer> pathLength = PathParser.pathLength(pathAndParameters);
        if (pathLength.isEmpty()) {
            return new Command.Invalid("mail", Replies.BAD_SENDER_SYNTAX);
        }
        String parameters = pathAndParameters.substring(pathLength.get()).strip();
        long size = -1;
        boolean eightBitMime = false;
        boolean smtpUtf8 = false;
        for (String parameter : parameters.isEmpty() ? new String[0] : parameters.split(" +")) {
            String upper = parameter.toUpperCase(Locale.ROOT);
            if (upper.startsWith("SIZE=")) {
                // RFC 1870 §6: size-value ::= 1*20DIGIT
                String digits = parameter.substring(5);
                if (!digits.matches("[0-9]{1,18}")) {
                    return new Command.Invalid("mail", Replies.BAD_SIZE);
                }
                size = Long.parseLong(digits);
            } else if (upper.equals("BODY=8BITMIME")) {
                eightBitMime = true;
            } else if (upper.equals("BODY=7BIT")) {
                eightBitMime = false;
            } else if (upper.equals("SMTPUTF8")) {
                smtpUtf8 = true;
            } else {
                return new Command.Invalid("mail", Replies.BAD_PARAMETER);
            }
        }
        PathParser.Result path = PathParser.parse(pathAndParameters.substring(0, pathLength.get()), utf8 || smtpUtf8);
        if (!(path instanceof PathParser.Result.Mailbox) && !(path instanceof PathParser.Result.NullPath)) {
            return new Command.Invalid("mail", Replies.BAD_SENDER_SYNTAX);
        }
        return new Command.Mail(path, size, eightBitMime, smtpUtf8);
    }

    private static Command rcpt(String argument, boolean utf8) {
        Optional<String> rest = afterKeyword(argument, "TO:");
        if (rest.isEmpty()) {
            return new Command.Invalid("rcpt", Replies.RCPT_SYNTAX);
        }
        String pathAndParameters = rest.get();
        Optional<Integer> pathLength = PathParser.pathLength(pathAndParameters);
        if (pathLength.isEmpty()) {
            return new Command.Invalid("rcpt", Replies.BAD_RECIPIENT_SYNTAX);
        }
        if (!pathAndParameters.substring(pathLength.get()).isBlank()) {
            // No RCPT parameters are advertised (no DSN), RFC 5321 §4.1.1.11 then says 555.
            return new Command.Invalid("rcpt", Replies.BAD_PARAMETER);
        }
        PathParser.Result path = PathParser.parse(pathAndParameters.substring(0, pathLength.get()), utf8);
        if (path instanceof PathParser.Result.Invalid || path instanceof PathParser.Result.NullPath) {
            return new Command.Invalid("rcpt", Replies.BAD_RECIPIENT_SYNTAX);
        }
        return new Command.Rcpt(path);
    }

    /** "FROM:" case-insensitive, then the rest with the one space some clients put after the colon removed. */
    private static Optional<String> afterKeyword(String argument, String keyword) {
        if (!argument.regionMatches(true, 0, keyword, 0, keyword.length())) {
            return Optional.empty();
        }
        String rest = argument.substring(keyword.length()).strip();
        return rest.isEmpty() ? Optional.empty() : Optional.of(rest);
    }
}
