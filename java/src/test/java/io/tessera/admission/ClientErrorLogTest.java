package io.tessera.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class ClientErrorLogTest {
  @Test
  void writesOneLineEachUpToTheRateThenCountsTheRest() {
    Logger logger = Logger.getLogger("test.client-errors");
    logger.setUseParentHandlers(false);
    List<LogRecord> records = new ArrayList<>();
    logger.addHandler(new Handler() {
      @Override
      public void publish(LogRecord record) {
        records.add(record);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    });
    ClientErrorLog log = new ClientErrorLog(logger, 5);
    for (int i = 0; i < 10_000; i++) {
      log.log("bad request " + i + "\n\tat some.Stack(Trace.java:1)");
    }
    assertTrue(records.size() <= 10, "rate-limited: " + records.size());  // ≤ 5 a second, ≤ 2 windows
    for (LogRecord r : records) {
      assertFalse(r.getMessage().contains("\n"), r.getMessage());
      assertEquals(null, r.getThrown());
    }
  }
}
