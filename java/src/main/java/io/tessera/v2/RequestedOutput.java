package io.tessera.v2;

/**
 * One entry of a request's {@code outputs}: the output's name, whether it is to be answered as
 * binary data (REST's binary tensor data extension; gRPC answers raw contents when the request
 * used them) and how many classes Triton's {@code classification} parameter asked for (0 = the
 * tensor itself).
 */
public record RequestedOutput(String name, boolean binary, int classification) {}
