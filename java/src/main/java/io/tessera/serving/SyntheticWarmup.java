package io.tessera.serving;

import com.google.protobuf.ByteString;
import io.tessera.image.ImageConfig;
import io.tessera.proto.serving.ModelSpec;
import io.tessera.proto.serving.PredictRequest;
import io.tessera.proto.tf.DataType;
import io.tessera.proto.tf.TensorInfo;
import io.tessera.proto.tf.TensorProto;
import io.tessera.proto.tf.TensorShapeProto;
import io.tessera.servables.Signature;
import io.tessera.servables.warmup.ModelWarmup;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.imageio.ImageIO;

/**
 * Warmup without a file (--synthesize_warmup_requests=N): N predict requests built from the
 * version's SignatureDef, replayed through the pipeline like warmup records. The signature is the
 * image config's for image models (its image input gets a generated {@value #IMAGE_SIDE} x
 * {@value #IMAGE_SIDE} PNG, decoded and resized like a client's), else serving_default (else the
 * first signature by key). Every other input is zeros of its dtype (empty strings, false) with
 * unknown dimensions (and unknown rank) as 1. Stateless.
 */
public final class SyntheticWarmup {
  private static final Logger LOG = Logger.getLogger(SyntheticWarmup.class.getName());
  static final int IMAGE_SIDE = 16;

  private SyntheticWarmup() {}

  /** Runs {@code count} synthetic requests on {@code version}; a failing one fails the load. */
  public static ModelWarmup.Result run(ServedModel version, WarmupReplay replay, int count) {
    long started = System.nanoTime();
    PredictRequest request = request(version);
    for (int i = 0; i < count; i++) {
      replay.predict(version, request);
    }
    ModelWarmup.Result result = new ModelWarmup.Result(count, count, 0,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    LOG.info("Synthetic warmup of " + replay.id() + ": " + count + " request(s) on signature "
        + request.getModelSpec().getSignatureName()
        + (version.images().isPresent() ? " (a generated " + IMAGE_SIDE + "x" + IMAGE_SIDE + " PNG through the image path)" : "")
        + ", took " + result.millis() + " ms");
    return result;
  }

  /** The request the synthetic warmup sends (the model spec names only the signature). */
  static PredictRequest request(ServedModel version) {
    Map<String, Signature> signatures = version.servable().signatures();
    ImageConfig image = version.images().map(p -> p.config()).orElse(null);
    String key = image != null ? image.signatureName()
        : signatures.containsKey(Signature.DEFAULT_KEY) ? Signature.DEFAULT_KEY
        : signatures.keySet().stream().sorted().findFirst().orElse(Signature.DEFAULT_KEY);
    Signature signature = version.servable().signature(key);
    PredictRequest.Builder request = PredictRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setSignatureName(signature.key()));
    for (Map.Entry<String, TensorInfo> input : signature.def().getInputsMap().entrySet()) {
      if (image != null && input.getKey().equals(image.inputAlias())) {
        request.putInputs(input.getKey(), TensorProto.newBuilder().setDtype(DataType.DT_STRING)
            .setTensorShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
            .addStringVal(ByteString.copyFrom(png(IMAGE_SIDE, IMAGE_SIDE))).build());
      } else {
        request.putInputs(input.getKey(), zeros(input.getValue()));
      }
    }
    return request.build();
  }

  /** Zeros of the input's dtype and shape (unknown dimensions 1), as tensor_content or string_val. */
  static TensorProto zeros(TensorInfo info) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    long elements = 1;
    if (info.getTensorShape().getUnknownRank()) {
      shape.addDimBuilder().setSize(1);
    } else {
      for (TensorShapeProto.Dim dim : info.getTensorShape().getDimList()) {
        long size = dim.getSize() < 0 ? 1 : dim.getSize();
        shape.addDimBuilder().setSize(size);
        elements *= size;
      }
    }
    TensorProto.Builder t = TensorProto.newBuilder().setDtype(info.getDtype()).setTensorShape(shape);
    if (info.getDtype() == DataType.DT_STRING) {
      for (long i = 0; i < elements; i++) {
        t.addStringVal(ByteString.EMPTY);
      }
      return t.build();
    }
    io.tessera.tensor.DataType dtype = io.tessera.tensor.DataType.forNumber(info.getDtypeValue());
    long bytes = elements * (dtype == null ? 4 : dtype.byteSize());
    return t.setTensorContent(ByteString.copyFrom(new byte[Math.toIntExact(bytes)])).build();
  }

  /** An 8-bit RGB PNG with a colour gradient (so decoding and resizing do real work). */
  static byte[] png(int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int red = x * 255 / Math.max(1, width - 1);
        int green = y * 255 / Math.max(1, height - 1);
        image.setRGB(x, y, red << 16 | green << 8 | 128);
      }
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", png);
    } catch (IOException e) {
      throw new UncheckedIOException(e);  // in-memory streams do not fail
    }
    return png.toByteArray();
  }
}
