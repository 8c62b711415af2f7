package io.tessera.v2.grpc;

import com.google.protobuf.ByteString;
import io.tessera.proto.inference.InferTensorContents;
import io.tessera.proto.inference.ModelInferRequest;
import io.tessera.proto.inference.ModelInferResponse;
import io.tessera.serving.DeclaredTensor;
import io.tessera.status.ServingException;
import io.tessera.tensor.DataType;
import io.tessera.tensor.OutputTensor;
import io.tessera.tensor.Shapes;
import io.tessera.tensor.TensorBuilder;
import io.tessera.v2.InferCalls;
import io.tessera.v2.RawBytes;
import io.tessera.v2.ResultTensor;
import io.tessera.v2.V2Types;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ModelInfer's tensors ↔ the pipeline's: typed {@code contents} (the field of the declared
 * datatype, e.g. {@code fp32_contents} for FP32, {@code int_contents} for INT8/16/32) are written
 * into aligned buffers; {@code raw_input_contents} (one entry per input, in order) stay views of
 * the request until the pipeline copies them into the aligned buffer; outputs are answered as
 * {@code raw_output_contents} when the request sent raw inputs, else as typed contents. Stateless.
 */
final class InferContents {
  private InferContents() {}

  static Map<String, DeclaredTensor> inputs(ModelInferRequest request) {
    if (request.getInputsCount() == 0) {
      throw ServingException.invalidArgument("inference request has no inputs");
    }
    boolean raw = request.getRawInputContentsCount() > 0;
    if (raw && request.getRawInputContentsCount() != request.getInputsCount()) {
      throw ServingException.invalidArgument("raw_input_contents has " + request.getRawInputContentsCount()
          + " entries for " + request.getInputsCount() + " inputs; give one per input, in order");
    }
    Map<String, DeclaredTensor> tensors = new LinkedHashMap<>();
    try {
      for (int i = 0; i < request.getInputsCount(); i++) {
        ModelInferRequest.InferInputTensor in = request.getInputs(i);
        DataType dtype = V2Types.parse(in.getDatatype(), in.getName());
        long[] shape = in.getShapeList().stream().mapToLong(Long::longValue).toArray();
        if (raw && in.hasContents()) {
          throw ServingException.invalidArgument("input '" + in.getName()
              + "' has contents, but the request uses raw_input_contents");
        }
        DeclaredTensor t;
        if (raw) {
          ByteString bytes = request.getRawInputContents(i);
          t = dtype.isString() ? new DeclaredTensor.Strings(shape, RawBytes.strings(bytes.asReadOnlyByteBuffer(),
              in.getName())) : new DeclaredTensor.Raw(dtype, shape, bytes.asReadOnlyByteBuffer());
        } else {
          t = typed(in, dtype, shape);
        }
        InferCalls.addInput(tensors, in.getName(), t);
      }
      return tensors;
    } catch (RuntimeException e) {
      tensors.values().forEach(t -> {
        if (t instanceof DeclaredTensor.Built built) {
          built.tensor().close();
        }
      });
      throw e;
    }
  }

  private static DeclaredTensor typed(ModelInferRequest.InferInputTensor in, DataType dtype, long[] shape) {
    InferTensorContents c = in.getContents();
    long elements;
    try {
      elements = Shapes.checkedElementCount(shape);
    } catch (ServingException e) {
      throw ServingException.invalidArgument("input '" + in.getName() + "': " + e.getMessage());
    }
    if (dtype.isString()) {
      check(in, c.getBytesContentsCount(), elements);
      return new DeclaredTensor.Strings(shape, c.getBytesContentsList().stream().map(ByteString::toByteArray).toList());
    }
    try (TensorBuilder b = TensorBuilder.create(dtype, elements)) {
      switch (dtype) {
        case DT_BOOL -> {
          check(in, c.getBoolContentsCount(), elements);
          c.getBoolContentsList().forEach(b::addBool);
        }
        case DT_INT8, DT_INT16, DT_INT32 -> {
          check(in, c.getIntContentsCount(), elements);
          c.getIntContentsList().forEach(v -> b.addLong(v));
        }
        case DT_INT64 -> {
          check(in, c.getInt64ContentsCount(), elements);
          c.getInt64ContentsList().forEach(b::addLong);
        }
        case DT_UINT8, DT_UINT16, DT_UINT32 -> {
          check(in, c.getUintContentsCount(), elements);
          c.getUintContentsList().forEach(v -> b.addLong(Integer.toUnsignedLong(v)));
        }
        case DT_UINT64 -> {
          check(in, c.getUint64ContentsCount(), elements);
          c.getUint64ContentsList().forEach(b::addLong);
        }
        case DT_FLOAT -> {
          check(in, c.getFp32ContentsCount(), elements);
          c.getFp32ContentsList().forEach(v -> b.addDouble(v));
        }
        case DT_DOUBLE -> {
          check(in, c.getFp64ContentsCount(), elements);
          c.getFp64ContentsList().forEach(b::addDouble);
        }
        default -> throw ServingException.invalidArgument("input '" + in.getName() + "' of datatype "
            + in.getDatatype() + " has no typed contents field; send it in raw_input_contents");
      }
      return new DeclaredTensor.Built(b.build(shape));
    }
  }

  private static void check(ModelInferRequest.InferInputTensor in, int count, long elements) {
    if (count != elements) {
      throw ServingException.invalidArgument("unexpected number of " + in.getDatatype() + " contents for input '"
          + in.getName() + "': " + count + ", shape " + Shapes.debugString(
              in.getShapeList().stream().mapToLong(Long::longValue).toArray()) + " has " + elements);
    }
  }

  /** Adds the outputs to {@code response}, raw or typed. */
  static void outputs(List<ResultTensor> outputs, boolean raw, ModelInferResponse.Builder response) {
    for (ResultTensor t : outputs) {
      ModelInferResponse.InferOutputTensor.Builder out = response.addOutputsBuilder()
          .setName(t.name()).setDatatype(t.datatype());
      for (long d : t.shape()) {
        out.addShape(d);
      }
      if (raw) {
        response.addRawOutputContents(ByteString.copyFrom(RawBytes.of(t)));
      } else {
        typed(t, out.getContentsBuilder());
      }
    }
  }

  private static void typed(ResultTensor result, InferTensorContents.Builder c) {
    if (!(result instanceof ResultTensor.Tensor dense) || dense.tensor().dtype().isString()) {
      RawBytes.elements(result).forEach(s -> c.addBytesContents(ByteString.copyFrom(s)));
      return;
    }
    OutputTensor t = dense.tensor();
    long n = t.elementCount();
    for (long i = 0; i < n; i++) {
      switch (t.dtype()) {
        case DT_FLOAT -> c.addFp32Contents(t.getFloat(i));
        case DT_DOUBLE -> c.addFp64Contents(t.getDouble(i));
        case DT_BOOL -> c.addBoolContents(t.getLong(i) != 0);
        case DT_INT8, DT_INT16, DT_INT32 -> c.addIntContents((int) t.getLong(i));
        case DT_INT64 -> c.addInt64Contents(t.getLong(i));
        case DT_UINT8, DT_UINT16, DT_UINT32 -> c.addUintContents((int) t.getLong(i));
        case DT_UINT64 -> c.addUint64Contents(t.getLong(i));
        default -> throw ServingException.unimplemented("output '" + t.alias() + "' of datatype "
            + V2Types.name(t.dtype()) + " has no typed contents field; ask with raw_input_contents");
      }
    }
  }
}
