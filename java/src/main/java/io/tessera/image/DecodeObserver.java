package io.tessera.image;

/** Told of each image a request decoded (the image metrics). Called on decoding threads. */
@FunctionalInterface
public interface DecodeObserver {
  DecodeObserver NONE = (encodedBytes, nanos) -> { };

  /** One image decoded: its encoded size and the wall time of its decode and resize. */
  void decoded(long encodedBytes, long nanos);
}
