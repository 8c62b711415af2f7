package io.tessera.fuzz;

import java.util.List;

/**
 * One generated request, fully determined by (seed, number): either raw HTTP bytes for the REST
 * port or one serialized gRPC message for a method. {@link #description} is short, human-readable
 * and names the template and mutations applied, so a failure report explains itself.
 */
public record FuzzCase(long seed, int number, String description, Rest rest, Grpc grpc) {

  /**
   * Raw bytes written to one fresh TCP connection to the REST port.
   *
   * @param wire the bytes on the wire (one or more pipelined HTTP/1.1 requests, or garbage)
   * @param paths the request path of each pipelined request, in order (oracle: JSON error bodies
   *     are required on API paths)
   * @param heads which of those requests are HEAD (their responses carry no body)
   * @param wellFormed true when every request is valid HTTP/1.1 framing, so each must be answered;
   *     false when the server may instead answer 4xx and close, or just close
   * @param halfClose shut down our write side after sending (lets the server see EOF: a framing
   *     that promises more bytes must then end, not hang)
   */
  public record Rest(byte[] wire, List<String> paths, List<Boolean> heads, boolean wellFormed,
      boolean halfClose) {}

  /**
   * One unary gRPC call with raw message bytes.
   *
   * @param method full method name, e.g. "tensorflow.serving.PredictionService/Predict"
   * @param message serialized (possibly mutated or random) request bytes
   * @param deadlineMs client deadline; short deadlines make DEADLINE_EXCEEDED the expected answer
   */
  public record Grpc(String method, byte[] message, long deadlineMs) {}

  public int wireBytes() {
    return rest != null ? rest.wire().length : grpc.message().length;
  }

  /** The first {@code max} bytes on the wire, printable ASCII kept, others as \xNN. */
  public String wirePreview(int max) {
    byte[] b = rest != null ? rest.wire() : grpc.message();
    StringBuilder s = new StringBuilder(rest != null ? "" : grpc.method() + " ");
    for (int i = 0; i < Math.min(max, b.length); i++) {
      int c = b[i] & 0xff;
      s.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : c == '\n' ? "\\n" : c == '\r' ? "\\r"
          : String.format("\\x%02x", c));
    }
    return s.append(b.length > max ? "...(" + b.length + " B)" : "").toString();
  }

  /** How to run this case alone. */
  public String replayHint() {
    return "replay: bench/fuzz.sh --seed=" + seed + " --case=" + number + "  (or mvn -o -q verify -pl java -am "
        + "-Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=FuzzIT -Dtessera.fuzz.seed=" + seed
        + " -Dtessera.fuzz.case=" + number + ")";
  }

  @Override
  public String toString() {
    return "case " + number + " (seed " + seed + ", " + (rest != null ? "REST" : "gRPC") + ", "
        + wireBytes() + " B): " + description;
  }
}
