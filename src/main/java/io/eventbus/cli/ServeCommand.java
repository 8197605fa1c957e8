package io.eventbus.cli;

import io.eventbus.config.EventBusConfiguration;
import io.eventbus.config.OriginalConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code serve}: runs a bus node until SIGTERM, optionally configured by the original's config.yaml. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Runs a bus node (also what runs without a command): gRPC on eventbus.rpc-port (9091), "
                + "HTTP on eventbus.http-port (7878), until SIGTERM.")
public final class ServeCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = "--config", paramLabel = "FILE",
            description = "A config.yaml of the original event-bus: each key sets its eventbus.* property "
                    + "(the environment and -D still win); an unknown key or unusable value stops with exit code 2.")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return serve(config, spec.commandLine().getErr());
    }

    /**
     * The routes are YAML files read from the file system (eventbus.routes-location, from -D, the
     * environment or the default file:routes/*.camel.yaml): without their folder the bus cannot run,
     * which is said in one line rather than in camel-main's stack trace. Null when it is there.
     */
    static String missingRoutesFolder() {
        String location = System.getProperty("eventbus.routes-location", System.getenv().getOrDefault(
                "EVENTBUS_ROUTES_LOCATION", "file:routes/*.camel.yaml"));
        if (!location.startsWith("file:") || location.contains(",")) {
            return null;
        }
        Path folder = Path.of(location.substring("file:".length())).getParent();
        if (folder == null || java.nio.file.Files.isDirectory(folder)) {
            return null;
        }
        return "no folder " + folder.toAbsolutePath().normalize() + " with the YAML routes (eventbus.routes-location="
                + location + "): start the bus from the directory that holds routes/ (the project's root, /app in the"
                + " image), or set eventbus.routes-location";
    }

    /** Runs the bus; returns 2 without starting anything when {@code config} cannot be used. */
    public static int serve(Path config, PrintWriter err) throws Exception {
        OriginalConfig original = null;
        if (config != null) {
            try {
                original = OriginalConfig.read(config).requireKnownKeys();
            } catch (NoSuchFileException e) {
                err.println("serve: " + config + ": no such file");
                return 2;
            } catch (IOException e) {
                err.println("serve: cannot read " + config + ": " + e.getMessage());
                return 2;
            } catch (IllegalArgumentException e) {
                err.println("serve: " + e.getMessage());
                return 2;
            }
            if (!original.ignoredKeys().isEmpty()) {
                LOG.warn("{}: {} accepted without effect here (logging is set in logback.xml)", config,
                        String.join(", ", original.ignoredKeys()));
            }
        }
        String missing = missingRoutesFolder();
        if (missing != null) {
            err.println("serve: " + missing);
            return 2;
        }
        Main main = new Main();
        main.configure().addConfiguration(EventBusConfiguration.class);
        if (original != null) {
            original.properties().forEach(main::addOverrideProperty);
        }
        main.run();
        return 0;
    }
}
