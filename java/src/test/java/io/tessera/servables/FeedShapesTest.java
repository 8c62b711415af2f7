package io.tessera.servables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.nativebridge.GraphShape;
import org.junit.jupiter.api.Test;

/** The feed/graph compatibility rule of {@link FeedShapes}, without a model. */
class FeedShapesTest {
  private static final GraphShape MOBILENET = new GraphShape(true, new long[] {-1, 224, 224, 3});

  @Test
  void knownPlaceholderRankMustMatch() {
    assertNull(FeedShapes.incompatibility(MOBILENET, new long[] {1, 224, 224, 3}));
    assertNull(FeedShapes.incompatibility(MOBILENET, new long[] {0, 224, 224, 3}));
    assertEquals("cannot feed a tensor of shape [1,1,3]: the model's graph expects [?,224,224,3] (rank 4, got rank 3)",
        FeedShapes.incompatibility(MOBILENET, new long[] {1, 1, 3}));
    assertFalse(FeedShapes.compatible(MOBILENET, 5));
    assertFalse(FeedShapes.compatible(MOBILENET, 0));
    GraphShape scalar = new GraphShape(true, new long[0]);
    assertTrue(FeedShapes.compatible(scalar, 0));
    assertFalse(FeedShapes.compatible(scalar, 1));
  }

  @Test
  void knownDimsAreLeftToTensorFlow() {
    // The TF2 half_plus_two export: Placeholder [1] which TensorFlow (and so TF Serving) runs with [2].
    assertNull(FeedShapes.incompatibility(new GraphShape(true, new long[] {1}), new long[] {2}));
    assertNull(FeedShapes.incompatibility(MOBILENET, new long[] {1, 224, 224, 4}));
  }

  @Test
  void unknownRankAndNonPlaceholdersTakeAnyRank() {
    assertNull(FeedShapes.incompatibility(GraphShape.UNKNOWN, new long[] {3}));
    assertNull(FeedShapes.incompatibility(new GraphShape(true, null), new long[] {1, 2, 3, 4, 5}));
    // saved_model_half_plus_two's x:0: an Identity the graph infers as [?,1]; TF Serving's example feeds [3].
    assertNull(FeedShapes.incompatibility(new GraphShape(false, new long[] {-1, 1}), new long[] {3}));
  }

  @Test
  void rankAboveTensorFlowsMaximumAlwaysRefused() {
    assertNull(FeedShapes.incompatibility(GraphShape.UNKNOWN, new long[254]));
    String reason = FeedShapes.incompatibility(GraphShape.UNKNOWN, new long[303]);
    assertTrue(reason.contains("rank 303") && reason.contains("254"), reason);
    assertFalse(FeedShapes.compatible(new GraphShape(true, null), 255));
  }

  @Test
  void debugString() {
    assertEquals("[?,224,224,3]", MOBILENET.toString());
    assertEquals("<unknown>", GraphShape.UNKNOWN.toString());
    assertEquals(new GraphShape(true, new long[] {1}), new GraphShape(true, new long[] {1}));
  }
}
