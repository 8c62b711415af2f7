// Baseline: TensorFlow Java 1.1.0's own in-process API (SavedModelBundle + Session.runner()), what a
// Java user would embed instead of a server. Compiled and run by bench/run-load.sh on its own
// classpath (TF Java + protobuf 3.21, kept out of Tessera's build). Prints one line:
//   name qps p50_us p99_us errors
// Usage: TfJavaBaseline <export_dir> <input_tensor> <output_tensor> <tiny|mobilenet> <threads> <seconds>
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

public class TfJavaBaseline {
  public static void main(String[] args) throws Exception {
    boolean mobilenet = args[3].equals("mobilenet");
    Shape shape = mobilenet ? Shape.of(1, 224, 224, 3) : Shape.of(1, 1);
    int threads = Integer.parseInt(args[4]);
    double seconds = Double.parseDouble(args[5]);
    try (SavedModelBundle bundle = SavedModelBundle.load(args[0], "serve")) {
      Session session = bundle.session();
      Runnable call = () -> {
        try (TFloat32 input = TFloat32.tensorOf(shape, data -> data.scalars().forEach(s -> s.setFloat(0.5f)))) {
          try (org.tensorflow.Result result = session.runner().feed(args[1], input).fetch(args[2]).run()) {
            result.get(0);
          }
        }
      };
      long warmupEnd = System.nanoTime() + 1_000_000_000L;
      while (System.nanoTime() < warmupEnd) {
        call.run();
      }
      AtomicBoolean stop = new AtomicBoolean();
      List<Long> all = Collections.synchronizedList(new ArrayList<>());
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Thread w = new Thread(() -> {
          List<Long> mine = new ArrayList<>();
          while (!stop.get()) {
            long begin = System.nanoTime();
            call.run();
            mine.add(System.nanoTime() - begin);
          }
          all.addAll(mine);
        });
        w.start();
        workers.add(w);
      }
      Thread.sleep((long) (seconds * 1000));
      stop.set(true);
      for (Thread w : workers) {
        w.join();
      }
      List<Long> sorted = new ArrayList<>(all);
      Collections.sort(sorted);
      double p50 = sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2) / 1e3;
      double p99 = sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, sorted.size() * 99 / 100)) / 1e3;
      System.out.printf("tf-java %.1f %.1f %.1f 0%n", sorted.size() / seconds, p50, p99);
    }
  }
}
