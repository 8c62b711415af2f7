package io.tessera.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import io.tessera.proto.serving.PredictRequest;
import io.tessera.proto.tf.Code;
import io.tessera.proto.tf.DataType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Checks every message and enum we define against the independently generated TF Serving client
 * classes in {@code org.apache.camel:camel-tensorflow-serving}: same full proto names, field
 * numbers, wire types, labels, packedness, oneofs, referenced types and enum numbers.
 */
class SchemaCompatibilityTest {
  private static final Set<String> NEWER_THAN_CAMEL_FIELDS =
      Set.of(
          "tensorflow.serving.PredictRequest.RequestOptions.max_cache_length",
          "tensorflow.serving.PredictRequest.RequestOptions.return_all_stoptokens",
          "tensorflow.serving.LogMetadata.safe_aggregation_privacy_key",
          "tensorflow.serving.SamplingConfig.per_task_sampling_configs",
          "tensorflow.serving.LoggingConfig.custom_logging_config");

  private static final Set<String> NEWER_THAN_CAMEL_ENUM_VALUES =
      Set.of("tensorflow.serving.PredictStreamedOptions.RequestState.CANCEL");

  /** Messages we define that Camel's jar does not contain at all. */
  private static final Set<String> NOT_IN_CAMEL_MESSAGES =
      Set.of(
          "tensorflow.SavedModel",
          "tensorflow.serving.PerTaskSamplingConfig",
          "tensorflow.serving.ModelWarmupOptions",
          "tensorflow.serving.SessionBundleConfig",
          "tensorflow.serving.BatchingParameters",
          "tensorflow.serving.SavedModelBundleSourceAdapterConfig");

  // ---------------------------------------------------------------- schema check

  private static Map<String, Descriptor> messages(List<FileDescriptor> roots) {
    Map<String, Descriptor> out = new LinkedHashMap<>();
    Set<String> seen = new TreeSet<>();
    List<FileDescriptor> todo = new ArrayList<>(roots);
    while (!todo.isEmpty()) {
      FileDescriptor fd = todo.remove(todo.size() - 1);
      if (!seen.add(fd.getName())) {
        continue;
      }
      todo.addAll(fd.getDependencies());
      for (Descriptor d : fd.getMessageTypes()) {
        addMessage(d, out);
      }
    }
    return out;
  }

  private static void addMessage(Descriptor d, Map<String, Descriptor> out) {
    out.put(d.getFullName(), d);
    for (Descriptor n : d.getNestedTypes()) {
      addMessage(n, out);
    }
  }

  private static Map<String, EnumDescriptor> enums(List<FileDescriptor> roots) {
    Map<String, EnumDescriptor> out = new LinkedHashMap<>();
    Set<String> seen = new TreeSet<>();
    List<FileDescriptor> todo = new ArrayList<>(roots);
    while (!todo.isEmpty()) {
      FileDescriptor fd = todo.remove(todo.size() - 1);
      if (!seen.add(fd.getName())) {
        continue;
      }
      todo.addAll(fd.getDependencies());
      fd.getEnumTypes().forEach(e -> out.put(e.getFullName(), e));
      for (Descriptor d : messages(List.of(fd)).values()) {
        if (d.getFile() == fd) {
          d.getEnumTypes().forEach(e -> out.put(e.getFullName(), e));
        }
      }
    }
    return out;
  }

  private static List<FileDescriptor> ourRoots() {
    return List.of(
        io.tessera.proto.serving.PredictionServiceProtos.getDescriptor(),
        io.tessera.proto.serving.ModelServiceProtos.getDescriptor(),
        io.tessera.proto.serving.PredictionLogProtos.getDescriptor(),
        io.tessera.proto.serving.SessionServiceProtos.getDescriptor(),
        io.tessera.proto.serving.config.ModelServerConfigProtos.getDescriptor(),
        io.tessera.proto.serving.config.MonitoringConfigProtos.getDescriptor(),
        io.tessera.proto.serving.config.SslConfigProtos.getDescriptor(),
        io.tessera.proto.serving.config.PlatformConfigProtos.getDescriptor(),
        io.tessera.proto.serving.config.SavedModelBundleSourceAdapterProtos.getDescriptor(),
        io.tessera.proto.tf.SavedModelProtos.getDescriptor(),
        io.tessera.proto.tf.ExampleProtos.getDescriptor());
  }

  private static List<FileDescriptor> camelRoots() {
    return List.of(
        tensorflow.serving.PredictionServiceOuterClass.getDescriptor(),
        tensorflow.serving.ModelServiceOuterClass.getDescriptor(),
        tensorflow.serving.PredictionLogOuterClass.getDescriptor(),
        tensorflow.serving.SessionServiceOuterClass.getDescriptor(),
        tensorflow.serving.ModelServerConfigOuterClass.getDescriptor(),
        tensorflow.serving.MonitoringConfigOuterClass.getDescriptor(),
        tensorflow.serving.SslConfig.getDescriptor(),
        tensorflow.serving.PlatformConfigOuterClass.getDescriptor(),
        org.tensorflow.example.ExampleProtos.getDescriptor());
  }

  private static String typeName(FieldDescriptor f) {
    switch (f.getJavaType()) {
      case MESSAGE:
        return f.getMessageType().getFullName();
      case ENUM:
        return f.getEnumType().getFullName();
      default:
        return f.getType().name();
    }
  }

  @Test
  void everyFieldWeDefineMatchesUpstreamNumbersAndTypes() {
    Map<String, Descriptor> ours = messages(ourRoots());
    Map<String, Descriptor> theirs = messages(camelRoots());
    List<String> problems = new ArrayList<>();
    Set<String> missingMessages = new TreeSet<>();
    List<String> omitted = new ArrayList<>();
    int checkedFields = 0;

    for (Descriptor m : ours.values()) {
      Descriptor t = theirs.get(m.getFullName());
      if (t == null) {
        missingMessages.add(m.getFullName());
        continue;
      }
      assertEquals(
          t.getOptions().getMapEntry(), m.getOptions().getMapEntry(), m.getFullName() + " map-ness");
      for (FieldDescriptor f : m.getFields()) {
        String id = m.getFullName() + "." + f.getName();
        FieldDescriptor tf = t.findFieldByNumber(f.getNumber());
        if (tf == null) {
          if (!NEWER_THAN_CAMEL_FIELDS.contains(id)) {
            problems.add(id + " = " + f.getNumber() + ": no such field number upstream");
          }
          continue;
        }
        checkedFields++;
        if (!tf.getName().equals(f.getName())) {
          problems.add(id + ": upstream name is " + tf.getName());
        }
        if (tf.getType() != f.getType()) {
          problems.add(id + ": type " + f.getType() + " vs upstream " + tf.getType());
        }
        if (!typeName(tf).equals(typeName(f))) {
          problems.add(id + ": type name " + typeName(f) + " vs upstream " + typeName(tf));
        }
        if (tf.isRepeated() != f.isRepeated()) {
          problems.add(id + ": repeated mismatch");
        }
        if (tf.isPacked() != f.isPacked()) {
          problems.add(id + ": packed mismatch");
        }
        if (tf.hasPresence() != f.hasPresence()) {
          problems.add(id + ": presence mismatch");
        }
        String ourOneof =
            f.getRealContainingOneof() == null ? "" : f.getRealContainingOneof().getName();
        String theirOneof =
            tf.getRealContainingOneof() == null ? "" : tf.getRealContainingOneof().getName();
        if (!ourOneof.equals(theirOneof)) {
          problems.add(id + ": oneof '" + ourOneof + "' vs upstream '" + theirOneof + "'");
        }
      }
      for (FieldDescriptor tf : t.getFields()) {
        if (m.findFieldByNumber(tf.getNumber()) == null) {
          omitted.add(m.getFullName() + "." + tf.getName() + " = " + tf.getNumber());
        }
      }
    }

    Map<String, EnumDescriptor> ourEnums = enums(ourRoots());
    Map<String, EnumDescriptor> theirEnums = enums(camelRoots());
    for (EnumDescriptor e : ourEnums.values()) {
      EnumDescriptor te = theirEnums.get(e.getFullName());
      if (te == null) {
        missingMessages.add(e.getFullName());
        continue;
      }
      for (EnumValueDescriptor v : e.getValues()) {
        EnumValueDescriptor tv = te.findValueByName(v.getName());
        String id = e.getFullName() + "." + v.getName();
        if (tv == null) {
          if (!NEWER_THAN_CAMEL_ENUM_VALUES.contains(id)) {
            problems.add(id + ": no such enum value upstream");
          }
        } else if (tv.getNumber() != v.getNumber()) {
          problems.add(id + " = " + v.getNumber() + " vs upstream " + tv.getNumber());
        }
      }
      for (EnumValueDescriptor tv : te.getValues()) {
        if (e.findValueByName(tv.getName()) == null) {
          problems.add(e.getFullName() + "." + tv.getName() + ": upstream enum value missing");
        }
      }
    }

    System.out.println(
        "[wire-compat] checked " + checkedFields + " fields in " + ours.size() + " messages");
    System.out.println("[wire-compat] upstream fields we deliberately omit: " + omitted);
    assertTrue(problems.isEmpty(), "schema mismatches:\n" + String.join("\n", problems));
    assertEquals(
        new TreeSet<>(NOT_IN_CAMEL_MESSAGES), missingMessages, "messages absent from Camel's jar");
    assertTrue(checkedFields > 250, "too few fields cross-checked: " + checkedFields);
  }

  @Test
  void dataTypeEnumIsComplete() {
    EnumDescriptor ours = DataType.getDescriptor();
    EnumDescriptor theirs = org.tensorflow.framework.DataType.getDescriptor();
    assertEquals(theirs.getValues().size(), ours.getValues().size());
    for (EnumValueDescriptor tv : theirs.getValues()) {
      assertEquals(tv.getNumber(), ours.findValueByName(tv.getName()).getNumber(), tv.getName());
    }
    assertEquals(20, Code.DO_NOT_USE_RESERVED_FOR_FUTURE_EXPANSION_USE_DEFAULT_IN_SWITCH_INSTEAD_.getNumber());
  }

  // ---------------------------------------------------------------- round trips

  /** Recursively asserts that a parsed message kept no unknown fields anywhere. */
}
