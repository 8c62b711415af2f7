package io.tessera.nativebridge;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.Arrays;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * One {@code TF_SessionRun}: feeds, fetches, and ownership of TensorFlow's output tensors.
 *
 * <p>Confined to one thread at a time. Inputs borrow {@link HostBuffer}s without copying (the
 * native side takes its own reference when the call runs: a fed buffer must stay open until
 * {@link #run} or {@link #runIn} returns). Output views returned by {@link #outputData} point into
 * native memory and are valid only until {@link #reset()} or {@link #close()}. A call is reusable
 * after {@link #reset()}; {@link SavedModelSession} pools them so the request path pays one native
 * allocation per call's lifetime, not per request.
 *
 * <p>One crossing per call: dense feeds and fetches are staged in the call's native feed block
 * (mapped once, see {@code RunCall::TakeStagedFeeds}) and taken by the run itself; string feeds
 * and what does not fit the block go through their own crossings. After a run the native side
 * frees what the layout block holds copies of (small outputs) and says whether anything is still
 * held; when nothing is, {@link #reset()} only asks the next crossing to reset.
 *
 * <p>After a run, output descriptions are read from the call's native layout block (mapped once
 * here, see {@code RunCall::WriteLayout}), so reading them costs no JNI crossing; small outputs
 * are copied into that block, larger ones are mapped in place.
 */
public final class RunCall extends NativeHandle<TesseraNative.NativeRunCall> {
  private static final int SLOT = Long.BYTES;

  /** TensorFlow's largest rank (TensorShape::MaxDimensions()); a larger one fails a TF CHECK. */
  private static final int MAX_RANK = GraphShape.MAX_RANK;

  private final ByteBuffer layout;
  /** The same block read-only: inline output views are slices of it (one object per view). */
  private final ByteBuffer readOnlyLayout;
  /** The native feed block (little-endian int64 slots, NativeAbi.FEED_*). */
  private final ByteBuffer feeds;
  /** Next free slot for a staged input; outputs are written after the inputs when the call runs. */
  private int feedSlot = NativeAbi.FEED_FIRST_SLOT;
  private int stagedInputs;
  private int[] stagedOutputs = new int[4];
  private int stagedOutputCount;
  /** Shapes go to the native side through this direct scratch buffer: no array copy per feed. */
  private final LongBuffer dims = ByteBuffer.allocateDirect(MAX_RANK * Long.BYTES)
      .order(ByteOrder.nativeOrder()).asLongBuffer();

  RunCall(TesseraNative.NativeRunCall pointer) {
    super(pointer, TesseraNative::run_call_free);
    this.layout = new BytePointer(TesseraNative.run_call_layout(pointer))
        .capacity(TesseraNative.run_call_layout_bytes()).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    this.readOnlyLayout = layout.asReadOnlyBuffer();
    this.feeds = new BytePointer(TesseraNative.run_call_feed_block(pointer))
        .capacity(TesseraNative.run_call_feed_block_bytes()).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Drops feeds, fetches and outputs so the call can run again; the memory they held is freed
   * now (when nothing is held natively, the reset is left to the call's next crossing).
   */
  public void reset() {
    clearStaged();
    if (feedSlotValue(NativeAbi.FEED_HELD_SLOT) != 0) {
      TesseraNative.run_call_reset(pointer());
    } else {
      pointer();
      feeds.putLong(NativeAbi.FEED_RESET_SLOT * SLOT, 1);
      layout.putLong(NativeAbi.LAYOUT_COUNT_SLOT * SLOT, 0);  // outputs read as gone at once
    }
  }

  /**
   * Feeds {@code bytes} bytes at {@code offset} in {@code buffer} as a dense tensor. Checked
   * natively (size against dtype and shape, bounds) when the call runs, or now when the feed block
   * is full.
   */
  public void addInput(int endpoint, int dtype, long[] shape, HostBuffer buffer, long offset, long bytes) {
    if (shape.length > MAX_RANK) {
      throw new IllegalArgumentException("rank " + shape.length + " exceeds TensorFlow's maximum " + MAX_RANK);
    }
    int slots = NativeAbi.FEED_INPUT_FIXED_SLOTS + shape.length;
    if (feedSlot + slots > NativeAbi.FEED_SLOTS) {  // no room: its own crossing
      dims.put(0, shape);
      NativeErrors.check(
          TesseraNative.run_call_add_input(
              pointer(), endpoint, dtype, dims, shape.length, buffer.nativeBuffer(), offset, bytes));
      return;
    }
    int at = feedSlot * SLOT;
    feeds.putLong(at + NativeAbi.FEED_ENDPOINT * SLOT, endpoint)
        .putLong(at + NativeAbi.FEED_DTYPE * SLOT, dtype)
        .putLong(at + NativeAbi.FEED_BUFFER * SLOT, buffer.nativeBuffer().address())
        .putLong(at + NativeAbi.FEED_OFFSET * SLOT, offset)
        .putLong(at + NativeAbi.FEED_BYTES * SLOT, bytes)
        .putLong(at + NativeAbi.FEED_NUM_DIMS * SLOT, shape.length);
    for (int d = 0; d < shape.length; d++) {
      feeds.putLong(at + (NativeAbi.FEED_DIMS + d) * SLOT, shape[d]);
    }
    feedSlot += slots;
    stagedInputs++;
  }

  /** Feeds a DT_STRING tensor; {@code blob} must be a direct buffer holding the elements back to back. */
  public void addStringInput(int endpoint, long[] shape, ByteBuffer blob, long[] lengths) {
    if (!blob.isDirect()) {
      throw new IllegalArgumentException("string blob must be a direct buffer");
    }
    if (shape.length > MAX_RANK) {
      throw new IllegalArgumentException("rank " + shape.length + " exceeds TensorFlow's maximum " + MAX_RANK);
    }
    NativeErrors.check(
        TesseraNative.run_call_add_string_input(
            pointer(), endpoint, shape, shape.length, blob, lengths, lengths.length));
  }

  public void addOutput(int endpoint) {
    if (stagedOutputCount == stagedOutputs.length) {
      stagedOutputs = Arrays.copyOf(stagedOutputs, stagedOutputs.length * 2);
    }
    stagedOutputs[stagedOutputCount++] = endpoint;
  }

  /**
   * Runs the graph.
   *
   * @param callerThread run on this thread (no inter-op pool hand-off); best for small requests
   * @param timeoutMs TensorFlow deadline, or 0 for none
   */
  public void run(boolean callerThread, long timeoutMs) {
    TesseraNative.NativeRunCall call = publishStaged();
    NativeErrors.check(TesseraNative.run_call_run(call, callerThread, timeoutMs));
  }

  /**
   * Writes the staged counts and output endpoints into the feed block (outputs that do not fit
   * get their own crossings) and clears the Java side's staging; the next crossing takes them.
   */
  private TesseraNative.NativeRunCall publishStaged() {
    TesseraNative.NativeRunCall call = pointer();
    int room = NativeAbi.FEED_SLOTS - feedSlot;
    int inBlock = Math.min(room, stagedOutputCount);
    for (int i = 0; i < inBlock; i++) {
      feeds.putLong((feedSlot + i) * SLOT, stagedOutputs[i]);
    }
    feeds.putLong(NativeAbi.FEED_INPUT_COUNT_SLOT * SLOT, stagedInputs)
        .putLong(NativeAbi.FEED_OUTPUT_COUNT_SLOT * SLOT, inBlock);
    int[] rest = inBlock == stagedOutputCount ? null
        : Arrays.copyOfRange(stagedOutputs, inBlock, stagedOutputCount);
    clearStaged();
    if (rest != null) {
      // Outputs beyond the block: added natively now, so the staged ones must be taken first
      // to keep the fetch order; a run with no staged feed then takes nothing more.
      NativeErrors.check(TesseraNative.run_call_take_staged(call));
      for (int endpoint : rest) {
        NativeErrors.check(TesseraNative.run_call_add_output(call, endpoint));
      }
    }
    return call;
  }

  private void clearStaged() {
    feedSlot = NativeAbi.FEED_FIRST_SLOT;
    stagedInputs = 0;
    stagedOutputCount = 0;
  }

  private long feedSlotValue(int slot) {
    pointer();
    return feeds.getLong(slot * SLOT);
  }

  /**
   * Runs this call as part of a batch (blocks until its batch ran); outputs are read as after run().
   *
   * @param timeoutMs deadline from now, or 0 for none: DEADLINE_EXCEEDED without running when
   *     the batch starts after it; otherwise it bounds the batched run (earliest in the batch)
   */
  public void runIn(BatchingSession batching, long timeoutMs) {
    TesseraNative.NativeRunCall call = publishStaged();
    NativeErrors.check(TesseraNative.batching_session_run(batching.pointer(), call, timeoutMs));
  }

  /**
   * The batch a batched call ran in; null after a direct run. runNanos: the whole batch's merge and
   * run; sizeLimit: the batch size limit its queue ran under (adaptive batching's choice).
   */
  public record BatchInfo(long rows, long paddedRows, boolean firstInBatch, long queuedNanos, long runNanos,
      long sizeLimit) {}

  public BatchInfo batchInfo() {
    long rows = batchField(NativeAbi.BATCH_INFO_ROWS);
    if (rows == 0) {
      return null;
    }
    return new BatchInfo(rows, batchField(NativeAbi.BATCH_INFO_PADDED_ROWS),
        batchField(NativeAbi.BATCH_INFO_FIRST_IN_BATCH) != 0, batchField(NativeAbi.BATCH_INFO_QUEUED_NANOS),
        batchField(NativeAbi.BATCH_INFO_RUN_NANOS), batchField(NativeAbi.BATCH_INFO_SIZE_LIMIT));
  }

  /** A field of the batch info the native side published in the feed block after the run. */
  private long batchField(int which) {
    return feedSlotValue(NativeAbi.FEED_BATCH_INFO_SLOT + which);
  }

  public int outputDtype(int index) {
    int at = describedAt(index);
    return at < 0 ? TesseraNative.run_call_output_dtype(pointer(), index)
        : (int) field(at, NativeAbi.LAYOUT_DTYPE);
  }

  public long[] outputShape(int index) {
    int at = describedAt(index);
    if (at >= 0) {
      long[] shape = new long[(int) field(at, NativeAbi.LAYOUT_NUM_DIMS)];
      for (int d = 0; d < shape.length; d++) {
        shape[d] = field(at, NativeAbi.LAYOUT_DIMS + d);
      }
      return shape;
    }
    int rank = TesseraNative.run_call_output_num_dims(pointer(), index);
    long[] shape = new long[Math.max(rank, 0)];
    for (int d = 0; d < shape.length; d++) {
      shape[d] = TesseraNative.run_call_output_dim(pointer(), index, d);
    }
    return shape;
  }

  /** Little-endian read-only view of a dense output (no copy of TensorFlow's memory). */
  public ByteBuffer outputData(int index) {
    int at = describedAt(index);
    long bytes = at >= 0 ? field(at, NativeAbi.LAYOUT_BYTE_SIZE)
        : TesseraNative.run_call_output_bytes(pointer(), index);
    if (bytes <= 0) {
      return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
    }
    long inlineOffset = at >= 0 ? field(at, NativeAbi.LAYOUT_INLINE_OFFSET) : -1;
    if (inlineOffset >= 0) {
      return readOnlyLayout.slice((int) inlineOffset, (int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
    Pointer data = at >= 0 ? new AddressPointer(field(at, NativeAbi.LAYOUT_DATA_ADDRESS))
        : TesseraNative.run_call_output_data(pointer(), index);
    return new BytePointer(data).capacity(bytes).asByteBuffer()
        .asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Byte offset of output {@code index}'s description in the layout block, or -1 when the block
   * could not hold the descriptions (then the per-field native accessors answer).
   */
  private int describedAt(int index) {
    pointer();
    long described = layout.getLong(NativeAbi.LAYOUT_COUNT_SLOT * SLOT);
    if (described < 0) {
      return -1;
    }
    if (index < 0 || index >= described) {
      throw new IndexOutOfBoundsException("no output " + index + " (the call has " + described + ")");
    }
    int at = NativeAbi.LAYOUT_FIRST_OUTPUT_SLOT * SLOT;
    for (int i = 0; i < index; i++) {
      at += (int) (NativeAbi.LAYOUT_OUTPUT_FIXED_SLOTS + field(at, NativeAbi.LAYOUT_NUM_DIMS)) * SLOT;
    }
    return at;
  }

  /** Slot {@code slot} (a NativeAbi.LAYOUT_* offset) of the description at byte offset {@code at}. */
  private long field(int at, int slot) {
    return layout.getLong(at + slot * SLOT);
  }

  /** A native address the layout block reported, to map as a buffer. */
  private static final class AddressPointer extends Pointer {
    AddressPointer(long address) {
      this.address = address;
    }
  }

  /** Copies element {@code element} of a DT_STRING output. */
  public byte[] outputString(int index, long element) {
    long size = TesseraNative.run_call_output_string_size(pointer(), index, element);
    if (size < 0) {
      throw new IndexOutOfBoundsException("no string element " + element + " in output " + index);
    }
    byte[] out = new byte[Math.toIntExact(size)];
    if (size > 0) {
      new BytePointer(TesseraNative.run_call_output_string_data(pointer(), index, element))
          .capacity(size).get(out);
    }
    return out;
  }
}
