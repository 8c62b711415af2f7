/* Tessera's own minimal declaration of the TensorFlow C API subset it uses.
 *
 * Written from the public signatures of tensorflow/c/c_api.h and tf_tstring.h (TF 2.18); the
 * tensorflow-core-native jar ships the library but no headers, and Debian has no libtensorflow-dev.
 * Only what native/src uses is declared. All symbols resolve from libtensorflow_cc.so.2. */
#ifndef TESSERA_THIRD_PARTY_TF_C_MIN_H_
#define TESSERA_THIRD_PARTY_TF_C_MIN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum TF_DataType {
  TF_FLOAT = 1, TF_DOUBLE = 2, TF_INT32 = 3, TF_UINT8 = 4, TF_INT16 = 5, TF_INT8 = 6,
  TF_STRING = 7, TF_COMPLEX64 = 8, TF_INT64 = 9, TF_BOOL = 10, TF_QINT8 = 11, TF_QUINT8 = 12,
  TF_QINT32 = 13, TF_BFLOAT16 = 14, TF_QINT16 = 15, TF_QUINT16 = 16, TF_UINT16 = 17,
  TF_COMPLEX128 = 18, TF_HALF = 19, TF_RESOURCE = 20, TF_VARIANT = 21, TF_UINT32 = 22, TF_UINT64 = 23
} TF_DataType;

/* Codes equal the canonical gRPC / absl status codes. */
typedef enum TF_Code {
  TF_OK = 0, TF_CANCELLED = 1, TF_UNKNOWN = 2, TF_INVALID_ARGUMENT = 3, TF_DEADLINE_EXCEEDED = 4,
  TF_NOT_FOUND = 5, TF_ALREADY_EXISTS = 6, TF_PERMISSION_DENIED = 7, TF_RESOURCE_EXHAUSTED = 8,
  TF_FAILED_PRECONDITION = 9, TF_ABORTED = 10, TF_OUT_OF_RANGE = 11, TF_UNIMPLEMENTED = 12,
  TF_INTERNAL = 13, TF_UNAVAILABLE = 14, TF_DATA_LOSS = 15, TF_UNAUTHENTICATED = 16
} TF_Code;

typedef struct TF_Status TF_Status;
typedef struct TF_Tensor TF_Tensor;
typedef struct TF_Graph TF_Graph;
typedef struct TF_Operation TF_Operation;
typedef struct TF_Session TF_Session;
typedef struct TF_SessionOptions TF_SessionOptions;
typedef struct TF_DeviceList TF_DeviceList;
typedef struct TF_OperationDescription TF_OperationDescription;

typedef struct TF_Buffer {
  const void* data;
  size_t length;
  void (*data_deallocator)(void* data, size_t length);
} TF_Buffer;

typedef struct TF_Output {
  TF_Operation* oper;
  int index;
} TF_Output;

/* Opaque 24-byte TensorFlow string element (TF_TString); only touched through TF_String* calls. */
typedef struct TF_TString {
  union {
    char raw[24];
    uint64_t align_;
  } u;
} TF_TString;

const char* TF_Version(void);

TF_Status* TF_NewStatus(void);
void TF_DeleteStatus(TF_Status*);
TF_Code TF_GetCode(const TF_Status*);
const char* TF_Message(const TF_Status*);
void TF_SetStatus(TF_Status*, TF_Code code, const char* message);

TF_Buffer* TF_NewBuffer(void);
TF_Buffer* TF_NewBufferFromString(const void* proto, size_t proto_len);
void TF_DeleteBuffer(TF_Buffer*);

TF_Tensor* TF_NewTensor(TF_DataType, const int64_t* dims, int num_dims, void* data, size_t len,
                        void (*deallocator)(void* data, size_t len, void* arg), void* deallocator_arg);
TF_Tensor* TF_AllocateTensor(TF_DataType, const int64_t* dims, int num_dims, size_t len);
void TF_DeleteTensor(TF_Tensor*);
TF_DataType TF_TensorType(const TF_Tensor*);
int TF_NumDims(const TF_Tensor*);
int64_t TF_Dim(const TF_Tensor*, int dim_index);
size_t TF_TensorByteSize(const TF_Tensor*);
void* TF_TensorData(const TF_Tensor*);
int64_t TF_TensorElementCount(const TF_Tensor*);
size_t TF_DataTypeSize(TF_DataType);

void TF_StringInit(TF_TString*);
void TF_StringCopy(TF_TString*, const char* src, size_t size);
const char* TF_StringGetDataPointer(const TF_TString*);
size_t TF_StringGetSize(const TF_TString*);
void TF_StringDealloc(TF_TString*);
void TF_StringAssignView(TF_TString*, const char* src, size_t size);

TF_SessionOptions* TF_NewSessionOptions(void);
void TF_SetConfig(TF_SessionOptions*, const void* proto, size_t proto_len, TF_Status*);
void TF_DeleteSessionOptions(TF_SessionOptions*);

TF_Graph* TF_NewGraph(void);
void TF_DeleteGraph(TF_Graph*);
TF_Operation* TF_GraphOperationByName(TF_Graph*, const char* oper_name);
int TF_OperationNumOutputs(TF_Operation*);
const char* TF_OperationOpType(TF_Operation*);
/* Static shape from the graph's shape inference: -1 dims = unknown rank; -1 in a dim = unknown. */
int TF_GraphGetTensorNumDims(TF_Graph* graph, TF_Output output, TF_Status* status);
void TF_GraphGetTensorShape(TF_Graph* graph, TF_Output output, int64_t* dims, int num_dims,
                            TF_Status* status);

TF_Session* TF_LoadSessionFromSavedModel(const TF_SessionOptions* session_options,
                                         const TF_Buffer* run_options, const char* export_dir,
                                         const char* const* tags, int tags_len, TF_Graph* graph,
                                         TF_Buffer* meta_graph_def, TF_Status* status);
void TF_CloseSession(TF_Session*, TF_Status*);
void TF_DeleteSession(TF_Session*, TF_Status*);
void TF_SessionRun(TF_Session* session, const TF_Buffer* run_options, const TF_Output* inputs,
                   TF_Tensor* const* input_values, int ninputs, const TF_Output* outputs,
                   TF_Tensor** output_values, int noutputs, const TF_Operation* const* target_opers,
                   int ntargets, TF_Buffer* run_metadata, TF_Status*);

/* Graph construction (the image preprocessing graph, image_graph.cc). */
TF_OperationDescription* TF_NewOperation(TF_Graph* graph, const char* op_type, const char* oper_name);
void TF_AddInput(TF_OperationDescription* desc, TF_Output input);
void TF_SetAttrType(TF_OperationDescription* desc, const char* attr_name, TF_DataType value);
void TF_SetAttrInt(TF_OperationDescription* desc, const char* attr_name, int64_t value);
void TF_SetAttrBool(TF_OperationDescription* desc, const char* attr_name, unsigned char value);
void TF_SetAttrTensor(TF_OperationDescription* desc, const char* attr_name, TF_Tensor* value,
                      TF_Status* status);
TF_Operation* TF_FinishOperation(TF_OperationDescription* desc, TF_Status* status);
TF_Session* TF_NewSession(TF_Graph* graph, const TF_SessionOptions* opts, TF_Status* status);

TF_DeviceList* TF_SessionListDevices(TF_Session* session, TF_Status* status);
int TF_DeviceListCount(const TF_DeviceList* list);
const char* TF_DeviceListName(const TF_DeviceList* list, int index, TF_Status* status);
void TF_DeleteDeviceList(TF_DeviceList* list);

#ifdef __cplusplus
}
#endif

#endif  // TESSERA_THIRD_PARTY_TF_C_MIN_H_
