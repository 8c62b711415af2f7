package io.tessera.server;

import io.tessera.nativebridge.SavedModelSession;
import io.tessera.status.ServingException;
import java.util.concurrent.CountDownLatch;

/**
 * {@code tensorflow_model_server}: TF Serving's command line, exit codes and start-up messages.
 * Exit 0 after --version or a clean shutdown; 255 (TF Serving's -1) for usage errors, --help and
 * start-up failures.
 */
public final class Main {
  public static final String VERSION = "0.1.0";

  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    LogSetup.configure();
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-help") || arg.equals("--helpfull")) {
        System.err.print(FlagParser.usage(ServerFlags.ALL));
        System.exit(255);
      }
    }
    FlagParser.Result flags = FlagParser.parse(ServerFlags.ALL, args);
    for (String unknown : flags.unknown()) {
      System.err.println("unknown argument: " + unknown);
    }
    if (flags.error() != null) {
      System.err.println(flags.error());
      System.err.print(FlagParser.usage(ServerFlags.ALL));
      System.exit(255);
    }
    if (flags.getBool("version")) {
      System.out.println("TensorFlow ModelServer: " + VERSION + "-tessera");
      System.out.println("TensorFlow Library: " + SavedModelSession.tensorflowVersion());
      System.exit(0);
    }
    warnIgnored(flags);
    java.util.logging.Logger.getLogger(Main.class.getName()).info(JvmReport.describe());

    TesseraServer server;
    try {
      server = TesseraServer.start(ServerOptions.fromFlags(flags));
    } catch (ServingException e) {
      System.err.println("Failed to start server. Error: " + e.code() + ": " + e.getMessage());
      System.exit(255);
      return;
    } catch (Exception e) {
      System.err.println("Failed to start server. Error: " + e);
      System.exit(255);
      return;
    }
    GracefulShutdown.install(server);
    new CountDownLatch(1).await();
  }

  /** Logs each ignored flag the command line sets to a non-default value, with the reason. */
  private static void warnIgnored(FlagParser.Result flags) {
    FlagParser.Result defaults = FlagParser.parse(ServerFlags.ALL, new String[0]);
    for (Flag flag : ServerFlags.ALL) {
      if (!flag.implemented() && !flags.get(flag.name()).equals(defaults.get(flag.name()))) {
        java.util.logging.Logger.getLogger(Main.class.getName()).warning("--" + flag.name()
            + " is accepted and ignored: " + flag.ignoredBecause());
      }
    }
  }
}
