package io.tessera.cli;

import io.tessera.server.Main;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code bin/tessera}: Tessera's own commands beside the TF Serving-compatible server.
 * <ul>
 *   <li>{@code demo [server flags]}: serves a generated colour-classifier image model (model name
 *       {@code colors}, gRPC 8500, REST 8501) unless --model_base_path is given; any
 *       tensorflow_model_server flag may follow and wins over the demo defaults.</li>
 *   <li>{@code inspect --dir=DIR}: signatures, dtypes and shapes of a SavedModel, like
 *       {@code saved_model_cli show --all}.</li>
 *   <li>{@code warmup --from=LOGS --model_dir=DIR [--max_records=N]}: a version's warmup file
 *       from request logs ({@link WarmupFromLogs}).</li>
 * </ul>
 */
public final class TesseraCli {
  private TesseraCli() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
      System.out.println("usage: tessera demo [tensorflow_model_server flags...]\n"
          + "       tessera inspect --dir=<SavedModel dir or model base path>\n"
          + "       " + WarmupFromLogs.USAGE.substring("usage: ".length()));
      System.exit(args.length == 0 ? 2 : 0);
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    switch (args[0]) {
      case "demo" -> demo(rest);
      case "inspect" -> {
        String dir = null;
        for (String a : rest) {
          if (a.startsWith("--dir=")) {
            dir = a.substring("--dir=".length());
          }
        }
        if (dir == null) {
          System.err.println("usage: tessera inspect --dir=<SavedModel dir or model base path>");
          System.exit(2);
        }
        System.exit(Inspect.run(dir, System.out));
      }
      case "warmup" -> System.exit(WarmupFromLogs.run(rest, System.out, System.err));
      default -> {
        System.err.println("tessera: unknown command '" + args[0] + "' (try: tessera help)");
        System.exit(2);
      }
    }
  }

  private static void demo(String[] flags) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>();
    if (!hasFlag(flags, "model_base_path")) {
      Path base = Path.of(System.getProperty("java.io.tmpdir"), "tessera-demo", "colors");
      DemoModel.write(base, 1);
      // Image preprocessing for the demo page and curl with a JPEG: pixels as 0..255 floats.
      java.nio.file.Files.writeString(base.resolve("labels.txt"), String.join("\n", DemoModel.LABELS) + "\n");
      java.nio.file.Files.writeString(base.resolve("tessera_image.json"),
          "{\"height\": 64, \"width\": 64, \"labels_file\": \"labels.txt\"}\n");
      System.err.println("Demo model (dominant colour classifier, labels " + DemoModel.LABELS
          + ") written to " + base);
      args.add("--model_base_path=" + base);
      if (!hasFlag(flags, "model_name")) {
        args.add("--model_name=colors");
      }
    }
    if (!hasFlag(flags, "port")) {
      args.add("--port=8500");
    }
    if (!hasFlag(flags, "rest_api_port")) {
      args.add("--rest_api_port=8501");
    }
    args.addAll(Arrays.asList(flags));
    String restPort = "8501";
    String model = "colors";
    for (String a : args) {
      if (a.startsWith("--rest_api_port=")) {
        restPort = a.substring("--rest_api_port=".length());
      } else if (a.startsWith("--model_name=")) {
        model = a.substring("--model_name=".length());
      }
    }
    System.err.println("Try: curl -s -X POST localhost:" + restPort + "/v1/models/" + model
        + ":predict -d '{\"instances\": [[[[250, 10, 10]]]]}'   or open http://localhost:" + restPort
        + "/tessera/demo and drop a photo");
    Main.main(args.toArray(new String[0]));
  }

  private static boolean hasFlag(String[] flags, String name) {
    for (String f : flags) {
      if (f.equals("--" + name) || f.startsWith("--" + name + "=")) {
        return true;
      }
    }
    return false;
  }
}
