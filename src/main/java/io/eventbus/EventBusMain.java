package io.eventbus;

import io.eventbus.cli.Bench;
import io.eventbus.cli.Failures;
import io.eventbus.cli.PublishCommand;
import io.eventbus.cli.ServeCommand;
import io.eventbus.cli.StatsCommand;
import io.eventbus.cli.SubscribeCommand;
import io.eventbus.cli.TokenCommand;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The jar's command line: {@code serve} starts the bus (camel-main with application.properties,
 * the YAML routes and the configuration class) and is what runs when no command is given, so
 * {@code java -jar event-bus.jar} serves as before; {@code publish}, {@code subscribe},
 * {@code stats} and {@code bench} are clients of a running bus.
 */
@Command(name = "event-bus", mixinStandardHelpOptions = true, versionProvider = EventBusMain.Version.class,
        description = {"A gRPC message bus in front of RabbitMQ.",
                "Without a command it serves, as 'serve' does. Settings: application.properties, "
                        + "-Dkey=value before -jar, or the environment (EVENTBUS_RETRY_TIMES)."},
        subcommands = {ServeCommand.class, PublishCommand.class, SubscribeCommand.class, StatsCommand.class, Bench.class,
                TokenCommand.class})
public final class EventBusMain implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with every subcommand, its exit codes, and failures reported in one line. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new EventBusMain())
                .setExpandAtFiles(false) // a message may well start with @
                .setExecutionExceptionHandler(new Failures())
                .setParameterExceptionHandler(Failures::usage);
        Map<String, String> codes = new LinkedHashMap<>();
        codes.put("0", "done");
        codes.put("1", "failed: the bus answered with an error or could not be reached (serve: could not start)");
        codes.put("2", "usage: an unknown or missing option or argument, an unusable --config file");
        cli.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
        Map<String, String> clientCodes = new LinkedHashMap<>();
        clientCodes.put("0", "done");
        clientCodes.put("1", "failed: the bus answered with an error or could not be reached");
        clientCodes.put("2", "usage: an unknown or missing option or argument");
        Map<String, String> serveCodes = new LinkedHashMap<>();
        serveCodes.put("0", "stopped on its own (camel.main.duration-max-*)");
        serveCodes.put("143", "stopped by SIGTERM, after a graceful stop");
        serveCodes.put("1", "the bus could not start");
        serveCodes.put("2", "usage: an unknown option, an unusable --config file, no routes folder");
        cli.getSubcommands().forEach((name, sub) -> sub.getCommandSpec().usageMessage()
                .exitCodeListHeading("%nExit codes:%n").exitCodeList(name.equals("serve") ? serveCodes : clientCodes));
        return cli;
    }

    /** No command: serve. */
    @Override
    public Integer call() throws Exception {
        return ServeCommand.serve(null, spec.commandLine().getErr());
    }

    /** The jar's version from its manifest (none when run from the build's classes). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = EventBusMain.class.getPackage().getImplementationVersion();
            return new String[] {"event-bus " + (version == null ? "(not packaged)" : version)};
        }
    }
}
