package io.eventbus.cli;

import io.eventbus.security.TlsFiles;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * A command that failed: a gRPC status, an I/O problem, an unusable TLS setting or file
 * ({@link TlsFiles.Unusable}, the client's or serve's) or a {@link CommandFailure} is one line on
 * standard error ({@code publish: UNAVAILABLE: io exception (Connection refused: /127.0.0.1:9091)}),
 * anything else (a bug, or a bus that could not start) its stack trace. Exit code 1 either way.
 */
public final class Failures implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception exception, CommandLine cli, ParseResult parsed) {
        PrintWriter err = cli.getErr();
        Throwable failure = unwrap(exception);
        String command = cli.getCommandName();
        if (failure instanceof StatusRuntimeException status) {
            err.println(command + ": " + describe(status.getStatus()));
        } else if (failure instanceof CommandFailure || failure instanceof IOException
                || failure instanceof TlsFiles.Unusable) {
            err.println(command + ": " + message(failure));
        } else {
            failure.printStackTrace(err);
        }
        err.flush();
        return CommandLine.ExitCode.SOFTWARE;
    }

    /**
     * A usage error: what was wrong, the command's synopsis and where its help is, on standard
     * error; exit code 2. (The whole help would push the one line that matters off the screen.)
     */
    public static int usage(CommandLine.ParameterException problem, String[] args) {
        CommandLine cli = problem.getCommandLine();
        PrintWriter err = cli.getErr();
        err.println(cli.getColorScheme().errorText(problem.getMessage()));
        CommandLine.UnmatchedArgumentException.printSuggestions(problem, err);
        CommandLine.Help help = cli.getHelp();
        err.print(help.synopsisHeading() + help.synopsis(help.synopsisHeadingLength()));
        err.println("Try '" + cli.getCommandSpec().qualifiedName() + " --help' for more.");
        err.flush();
        return cli.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** {@code CODE: description (cause)}, the parts there are. */
    static String describe(Status status) {
        StringBuilder text = new StringBuilder(status.getCode().name());
        if (status.getDescription() != null) {
            text.append(": ").append(status.getDescription());
        }
        if (status.getCause() != null) {
            text.append(" (").append(message(status.getCause())).append(')');
        }
        return text.toString();
    }

    /** The message, or the exception's name when it has none (a ConnectException often has none). */
    static String message(Throwable failure) {
        String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
    }

    private static Throwable unwrap(Throwable failure) {
        while ((failure instanceof ExecutionException || failure instanceof CompletionException
                || failure instanceof UncheckedIOException) && failure.getCause() != null) {
            failure = failure.getCause();
        }
        return failure;
    }

    /** A failure the command has already put in words: printed as its message. */
    public static final class CommandFailure extends RuntimeException {
        public CommandFailure(String message) {
            super(message);
        }
    }
}
