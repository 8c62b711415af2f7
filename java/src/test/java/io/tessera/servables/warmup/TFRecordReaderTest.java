package io.tessera.servables.warmup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.proto.serving.PredictionLog;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TFRecordReaderTest {
  private static final Path SHARED = Path.of(System.getProperty("tessera.shared.dir", "../../shared"));

  @Test
  void framesRoundTripAndCorruptionIsDetected() throws IOException {
    byte[] a = TFRecordReader.frame("hello".getBytes());
    byte[] b = TFRecordReader.frame(new byte[0]);
    byte[] both = new byte[a.length + b.length];
    System.arraycopy(a, 0, both, 0, a.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    TFRecordReader reader = new TFRecordReader(new ByteArrayInputStream(both));
    assertArrayEquals("hello".getBytes(), reader.next());
    assertArrayEquals(new byte[0], reader.next());
    assertNull(reader.next());

    byte[] flipped = a.clone();
    flipped[13] ^= 1;  // inside the payload
    IOException e = assertThrows(IOException.class, () -> new TFRecordReader(new ByteArrayInputStream(flipped)).next());
    assertTrue(e.getMessage().contains("data checksum mismatch"), e.getMessage());
    byte[] truncated = java.util.Arrays.copyOf(a, a.length - 2);
    assertThrows(IOException.class, () -> new TFRecordReader(new ByteArrayInputStream(truncated)).next());
  }

  @Test
  void readsTheWarmupFixtures() {
    List<PredictionLog> logs = ModelWarmup.read(SHARED.resolve(
        "testdata/saved_model_half_plus_two_cpu_warmup/00000123/" + ModelWarmup.FILE));
    assertEquals(List.of(PredictionLog.LogTypeCase.PREDICT_LOG, PredictionLog.LogTypeCase.CLASSIFY_LOG,
        PredictionLog.LogTypeCase.REGRESS_LOG), logs.stream().map(PredictionLog::getLogTypeCase).toList());
    assertEquals(2.0f, logs.get(0).getPredictLog().getRequest().getInputsOrThrow("x").getFloatVal(0));

    ServingException e = assertThrows(ServingException.class, () -> ModelWarmup.read(SHARED.resolve(
        "testdata/saved_model_half_plus_two_cpu_bad_warmup/00000123/" + ModelWarmup.FILE)));
    assertEquals(StatusCode.DATA_LOSS, e.code());
    assertTrue(e.getMessage().endsWith("Please verify your warmup data is in TFRecord format."), e.getMessage());
  }
}
