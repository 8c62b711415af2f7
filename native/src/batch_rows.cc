// Row-wise tensor helpers for batching: row sizes, slicing along dimension 0, zero-padded row copies.
#include "tessera/batch_rows.h"

#include <algorithm>
#include <cstring>

#include "tessera/host_buffer.h"

namespace tessera {
namespace {

void ReleaseBatchBuffer(void*, size_t, void* arg) { static_cast<HostBuffer*>(arg)->Unref(); }

}  // namespace

// Rows of `t` (its first dimension) and the bytes of one row.
int64_t RowBytes(TF_Tensor* t) {
  const int64_t rows = TF_Dim(t, 0);
  return rows == 0 ? 0 : static_cast<int64_t>(TF_TensorByteSize(t)) / rows;
}

std::vector<int64_t> DimsWithRows(TF_Tensor* t, int64_t rows) {
  std::vector<int64_t> dims(static_cast<size_t>(TF_NumDims(t)));
  for (int d = 0; d < TF_NumDims(t); ++d) dims[static_cast<size_t>(d)] = TF_Dim(t, d);
  dims[0] = rows;
  return dims;
}

// Copies rows [first, first + rows) of `t` into a new tensor (strings element by element).
TensorPtr SliceRows(TF_Tensor* t, int64_t first, int64_t rows) {
  std::vector<int64_t> dims = DimsWithRows(t, rows);
  const TF_DataType dtype = TF_TensorType(t);
  const int64_t total_rows = TF_Dim(t, 0);
  const int64_t per_row = total_rows == 0 ? 0 : TF_TensorElementCount(t) / total_rows;
  if (dtype == TF_STRING) {
    TensorPtr out(TF_AllocateTensor(TF_STRING, dims.data(), static_cast<int>(dims.size()),
                                    static_cast<size_t>(rows * per_row) * sizeof(TF_TString)));
    auto* src = static_cast<TF_TString*>(TF_TensorData(t)) + first * per_row;
    auto* dst = static_cast<TF_TString*>(TF_TensorData(out.get()));
    for (int64_t i = 0; i < rows * per_row; ++i) {
      TF_StringInit(&dst[i]);
      TF_StringCopy(&dst[i], TF_StringGetDataPointer(&src[i]), TF_StringGetSize(&src[i]));
    }
    return out;
  }
  const int64_t row_bytes = RowBytes(t);
  TensorPtr out(TF_AllocateTensor(dtype, dims.data(), static_cast<int>(dims.size()),
                                  static_cast<size_t>(rows * row_bytes)));
  if (rows > 0) {
    std::memcpy(TF_TensorData(out.get()), static_cast<char*>(TF_TensorData(t)) + first * row_bytes,
                static_cast<size_t>(rows * row_bytes));
  }
  return out;
}

// Copies one row of shape `from` (row-major) into a zeroed row of shape `to` (each dim >= from's).
void CopyPaddedRow(const char* src, char* dst, const std::vector<int64_t>& from,
                   const std::vector<int64_t>& to, size_t dim, size_t element_size) {
  if (dim + 1 == from.size()) {
    std::memcpy(dst, src, static_cast<size_t>(from[dim]) * element_size);
    return;
  }
  int64_t src_stride = 1;
  int64_t dst_stride = 1;
  for (size_t d = dim + 1; d < from.size(); ++d) {
    src_stride *= from[d];
    dst_stride *= to[d];
  }
  for (int64_t i = 0; i < from[dim]; ++i) {
    CopyPaddedRow(src + i * src_stride * element_size, dst + i * dst_stride * element_size, from, to,
                  dim + 1, element_size);
  }
}

Status MergeRows(const std::vector<TF_Tensor*>& parts, int64_t padded, TensorPtr* merged) {
  TF_Tensor* sample = parts.front();
  std::vector<int64_t> row_dims;  // the largest of the parts (all equal without padding)
  for (int d = 1; d < TF_NumDims(sample); ++d) {
    int64_t largest = 0;
    for (TF_Tensor* t : parts) largest = std::max(largest, TF_Dim(t, d));
    row_dims.push_back(largest);
  }
  const size_t element_size = TF_DataTypeSize(TF_TensorType(sample));
  int64_t row_elements = 1;
  for (int64_t d : row_dims) row_elements *= d;
  const int64_t row_bytes = row_elements * static_cast<int64_t>(element_size);
  Status status;
  HostBuffer* buffer = HostBuffer::Create(static_cast<size_t>(padded * row_bytes), &status);
  if (buffer == nullptr) return status;
  char* out = static_cast<char*>(buffer->data());
  int64_t total = 0;
  for (TF_Tensor* t : parts) {
    const int64_t rows = TF_Dim(t, 0);
    const size_t bytes = TF_TensorByteSize(t);
    if (static_cast<int64_t>(bytes) == rows * row_bytes || row_dims.empty()) {
      std::memcpy(out, TF_TensorData(t), bytes);
    } else {  // smaller than the batch's row shape: zero-pad each row
      std::memset(out, 0, static_cast<size_t>(rows * row_bytes));
      std::vector<int64_t> from;
      for (int d = 1; d < TF_NumDims(t); ++d) from.push_back(TF_Dim(t, d));
      const size_t part_row_bytes = bytes / static_cast<size_t>(rows);
      for (int64_t r = 0; r < rows; ++r) {
        CopyPaddedRow(static_cast<const char*>(TF_TensorData(t)) + r * part_row_bytes,
                      out + r * row_bytes, from, row_dims, 0, element_size);
      }
    }
    out += rows * row_bytes;
    total += rows;
  }
  for (int64_t pad = total; pad < padded; ++pad) {  // padding rows repeat the first row
    std::memcpy(out, buffer->data(), static_cast<size_t>(row_bytes));
    out += row_bytes;
  }
  std::vector<int64_t> dims = {padded};
  dims.insert(dims.end(), row_dims.begin(), row_dims.end());
  merged->reset(TF_NewTensor(TF_TensorType(sample), dims.data(), static_cast<int>(dims.size()),
                             buffer->data(), static_cast<size_t>(padded * row_bytes),
                             ReleaseBatchBuffer, buffer));
  if (*merged == nullptr) {
    buffer->Unref();
    return Status(kInternal, "TensorFlow rejected the merged batch tensor");
  }
  return Status::Ok();
}

}  // namespace tessera
