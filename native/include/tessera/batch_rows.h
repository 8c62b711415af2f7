// Row-wise tensor helpers for the batching session (dimension 0 is the batch dimension).
#ifndef TESSERA_BATCH_ROWS_H_
#define TESSERA_BATCH_ROWS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "tensorflow_c/tf_c_min.h"
#include "tessera/status.h"
#include "tessera/tf_owners.h"

namespace tessera {

// Bytes of one row of a dense tensor (0 when it has no rows).
int64_t RowBytes(TF_Tensor* t);

// The tensor's dims with dimension 0 replaced by `rows`.
std::vector<int64_t> DimsWithRows(TF_Tensor* t, int64_t rows);

// A new tensor holding rows [first, first + rows) of `t` (strings copied element by element).
TensorPtr SliceRows(TF_Tensor* t, int64_t first, int64_t rows);

// Concatenates `parts` (same dtype and rank, dense) along dimension 0 into *merged, with
// `padded` >= their total rows: each part's non-batch dims are zero-padded to the largest of the
// parts, and rows past the total repeat the first row. The merged tensor owns a HostBuffer;
// `parts` are only read.
Status MergeRows(const std::vector<TF_Tensor*>& parts, int64_t padded, TensorPtr* merged);

// Copies one row of shape `from` (row-major) into a zeroed row of shape `to` (each dim >= from's),
// starting at dimension `dim`.
void CopyPaddedRow(const char* src, char* dst, const std::vector<int64_t>& from,
                   const std::vector<int64_t>& to, size_t dim, size_t element_size);

}  // namespace tessera

#endif  // TESSERA_BATCH_ROWS_H_
