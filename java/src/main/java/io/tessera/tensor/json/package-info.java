/**
 * TF Serving's REST JSON for tensors ({@code util/json_tensor.cc}): the predict reader (row and
 * columnar; a byte-level path for plain float number lists, a Jackson streaming path into aligned
 * buffers for the other usual layouts, an exact path with TF Serving's error texts), the
 * classify/regress examples reader (tf.Example protos, TF Serving's checks and texts), the writer
 * (TF Serving's float text, computed without big decimals, and layout), and the Jackson factory
 * every REST request parser uses, which reads JSON as TF Serving's rapidjson does
 * ({@code RapidJsonFactory}: its NaN/Inf spellings, unlimited nesting). Imports tensor, admission
 * and status.
 */
package io.tessera.tensor.json;
