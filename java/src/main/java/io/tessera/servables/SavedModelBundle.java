package io.tessera.servables;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tessera.nativebridge.BatchThreads;
import io.tessera.nativebridge.BatchingSession;
import io.tessera.nativebridge.GraphShape;
import io.tessera.nativebridge.SavedModelSession;
import io.tessera.proto.tf.MetaGraphDef;
import io.tessera.proto.tf.SignatureDef;
import io.tessera.proto.tf.TensorInfo;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import io.tessera.tensor.InputTensor;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * One loaded SavedModel version: the TensorFlow session plus its signatures. Safe for concurrent
 * runs; closed (session freed) by the servable lifecycle once no request holds it.
 *
 * <p>Like TF Serving, signatures are not cross-checked against the graph's dtypes at load, so
 * models such as saved_model_half_plus_three (whose regress signature declares the wrong input
 * dtype) still load; a mismatch surfaces as a run error for that signature only. What is read at
 * load is each input tensor's static shape in the loaded graph ({@link TensorSpec#graphShape()}),
 * which {@link SignatureRunner} checks every feed against ({@link FeedShapes}).
 */
public final class SavedModelBundle implements Servable, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(SavedModelBundle.class.getName());

  private final Path exportDir;
  private final SavedModelSession session;
  private final MetaGraphDef metaGraph;
  private final Map<String, Signature> signatures;
  private volatile BatchingSession batching;

  private SavedModelBundle(Path exportDir, SavedModelSession session, MetaGraphDef metaGraph,
      Map<String, Signature> signatures) {
    this.exportDir = exportDir;
    this.session = session;
    this.metaGraph = metaGraph;
    this.signatures = signatures;
  }

  /** {@link #load(Path, List, byte[], boolean)} keeping only the SignatureDefs. */
  public static SavedModelBundle load(Path exportDir, List<String> tags, byte[] sessionConfig) {
    return load(exportDir, tags, sessionConfig, true);
  }

  /**
   * Loads {@code exportDir} with the given tags and serialized ConfigProto.
   *
   * @param removeUnusedMetaGraphFields TF Serving's remove_unused_fields_from_bundle_metagraph: keep
   *     only the SignatureDefs of the MetaGraphDef (what the APIs use); false keeps all of it, the
   *     graph included, for the life of the version
   * @throws ServingException with TensorFlow's status when the model cannot be loaded
   */
  public static SavedModelBundle load(Path exportDir, List<String> tags, byte[] sessionConfig,
      boolean removeUnusedMetaGraphFields) {
    SavedModelSession session = SavedModelSession.load(exportDir.toString(), tags, sessionConfig);
    try {
      MetaGraphDef metaGraph = MetaGraphDef.parseFrom(session.takeMetaGraphDef());
      Map<String, Signature> signatures = new TreeMap<>();
      for (Map.Entry<String, SignatureDef> e : metaGraph.getSignatureDefMap().entrySet()) {
        signatures.put(e.getKey(), resolve(session, e.getKey(), e.getValue()));
      }
      LOG.info("Loaded SavedModel " + exportDir + " with signatures " + signatures.keySet()
          + " on devices " + session.devices());
      MetaGraphDef kept = removeUnusedMetaGraphFields
          ? MetaGraphDef.newBuilder().putAllSignatureDef(metaGraph.getSignatureDefMap()).build()
          : metaGraph;
      return new SavedModelBundle(exportDir, session, kept, Collections.unmodifiableMap(signatures));
    } catch (InvalidProtocolBufferException e) {
      session.close();
      throw new ServingException(StatusCode.DATA_LOSS, "cannot parse MetaGraphDef of " + exportDir + ": " + e.getMessage());
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
  }

  private static Signature resolve(SavedModelSession session, String key, SignatureDef def) {
    return new Signature(key, def, resolveAll(session, def.getInputsMap(), true),
        resolveAll(session, def.getOutputsMap(), false));
  }

  /** {@code inputs}: also read each tensor's static graph shape (what feeds are checked against). */
  private static Map<String, TensorSpec> resolveAll(SavedModelSession session, Map<String, TensorInfo> infos,
      boolean inputs) {
    Map<String, TensorSpec> specs = new LinkedHashMap<>();
    for (Map.Entry<String, TensorInfo> e : new TreeMap<>(infos).entrySet()) {
      String tensorName = e.getValue().getName();
      int endpoint = -1;
      if (!tensorName.isEmpty()) {
        try {
          endpoint = session.resolveEndpoint(tensorName);
        } catch (ServingException notInGraph) {
          endpoint = -1;
        }
      }
      GraphShape shape = inputs && endpoint >= 0 ? graphShape(session, endpoint, tensorName) : GraphShape.UNKNOWN;
      specs.put(e.getKey(), new TensorSpec(e.getKey(), tensorName, e.getValue().getDtypeValue(), endpoint, shape));
    }
    return specs;
  }

  /** The tensor's static graph shape; unknown (every feed allowed) if TensorFlow cannot say. */
  private static GraphShape graphShape(SavedModelSession session, int endpoint, String tensorName) {
    try {
      return session.graphShape(endpoint);
    } catch (ServingException e) {
      LOG.warning("no static shape for graph tensor " + tensorName + ": " + e.getMessage());
      return GraphShape.UNKNOWN;
    }
  }

  public Path exportDir() {
    return exportDir;
  }

  /** The MetaGraphDef as kept: its SignatureDefs only, or all of it (see {@link #load}). */
  @Override
  public MetaGraphDef metaGraph() {
    return metaGraph;
  }

  @Override
  public Map<String, Signature> signatures() {
    return signatures;
  }

  @Override
  public RunResult run(Signature signature, Map<String, InputTensor> inputs,
      Collection<String> outputFilter, SignatureRunner.RunSettings settings) {
    return SignatureRunner.run(this, signature, inputs, outputFilter, settings);
  }

  @Override
  public List<String> devices() {
    return session.devices();
  }

  public SavedModelSession session() {
    return session;
  }

  /**
   * Turns on server-side batching for this version (before it is served); runs then go through
   * the native batching session, whose ready batches run on the shared {@code threads}.
   */
  public SavedModelBundle withBatching(BatchingSession.Settings settings, BatchThreads threads) {
    batching = BatchingSession.create(session, settings, threads);
    return this;
  }

  /** Tests: batching through a manually stepped ("puppet") session. */
  public SavedModelBundle withManualBatching(BatchingSession.Settings settings) {
    batching = BatchingSession.createManual(session, settings);
    return this;
  }

  /** The batching session, or null when batching is off. */
  public BatchingSession batching() {
    return batching;
  }

  @Override
  public void close() {
    if (batching != null) {
      batching.close();  // before the session it runs on
    }
    session.close();
  }
}
