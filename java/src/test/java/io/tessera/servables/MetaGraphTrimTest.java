package io.tessera.servables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.proto.tf.MetaGraphDef;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * --remove_unused_fields_from_bundle_metagraph on mobilenet_v2 (real TensorFlow): true keeps only
 * the SignatureDefs, as TF Serving's SavedModelBundleFactory does; false keeps the whole
 * MetaGraphDef. Prints what each keeps on the Java heap (a figure, not an assertion: GC noise).
 */
class MetaGraphTrimTest {
  private static final Path MOBILENET = Path.of(System.getProperty("tessera.shared.dir", "../../shared"))
      .resolve("models/mobilenet_v2/1").toAbsolutePath().normalize();
  private static final int COPIES = 4;

  @Test
  void trimmingKeepsExactlyTheSignatureDefs() throws Exception {
    try (SavedModelBundle all = SavedModelBundle.load(MOBILENET, List.of("serve"), new byte[0], false);
        SavedModelBundle trimmed = SavedModelBundle.load(MOBILENET, List.of("serve"), new byte[0], true)) {
      assertTrue(all.metaGraph().hasGraphDef());
      assertTrue(all.metaGraph().getGraphDef().getNodeCount() > 100);
      assertFalse(trimmed.metaGraph().hasGraphDef());
      assertEquals(MetaGraphDef.newBuilder().putAllSignatureDef(all.metaGraph().getSignatureDefMap()).build(),
          trimmed.metaGraph());
      assertEquals(all.signatures().keySet(), trimmed.signatures().keySet());
      long heapAll = retainedHeapPerBundle(false);
      long heapTrimmed = retainedHeapPerBundle(true);
      System.out.printf("MetaGraphTrimTest: mobilenet_v2 MetaGraphDef %d bytes serialized (%d nodes), SignatureDefs "
              + "%d bytes; Java heap kept per loaded version: %d bytes with false, %d bytes with true (saved %d)%n",
          all.metaGraph().getSerializedSize(), all.metaGraph().getGraphDef().getNodeCount(),
          trimmed.metaGraph().getSerializedSize(), heapAll, heapTrimmed, heapAll - heapTrimmed);
    }
  }

  /** Heap growth per bundle over {@code COPIES} loaded versions, after full GCs. */
  private static long retainedHeapPerBundle(boolean removeUnused) throws InterruptedException {
    long before = usedHeapAfterGc();
    List<SavedModelBundle> held = new ArrayList<>();
    try {
      for (int i = 0; i < COPIES; i++) {
        held.add(SavedModelBundle.load(MOBILENET, List.of("serve"), new byte[0], removeUnused));
      }
      return (usedHeapAfterGc() - before) / COPIES;
    } finally {
      held.forEach(SavedModelBundle::close);
    }
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
    }
    return rt.totalMemory() - rt.freeMemory();
  }
}
