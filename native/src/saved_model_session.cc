#include "tessera/saved_model_session.h"

#include <cstdlib>

#include "tessera/tf_owners.h"

namespace tessera {
namespace {

// Owns a TF_Status for the duration of one C API call sequence.
struct TfStatus {
  StatusPtr owner = NewTfStatus();
  TF_Status* s = owner.get();
  bool ok() const { return TF_GetCode(s) == TF_OK; }
  Status ToStatus(const std::string& context) const {
    return Status(static_cast<int>(TF_GetCode(s)), context + TF_Message(s));
  }
};

}  // namespace

std::unique_ptr<SavedModelSession> SavedModelSession::Load(const std::string& export_dir,
                                                           const std::vector<std::string>& tags,
                                                           const std::string& config,
                                                           Status* status) {
  TfStatus tf_status;
  SessionOptionsPtr options(TF_NewSessionOptions());
  if (!config.empty()) {
    TF_SetConfig(options.get(), config.data(), config.size(), tf_status.s);
    if (!tf_status.ok()) {
      *status = tf_status.ToStatus("invalid session ConfigProto: ");
      return nullptr;
    }
  }
  std::vector<const char*> tag_ptrs;
  for (const auto& tag : tags) tag_ptrs.push_back(tag.c_str());

  GraphPtr graph(TF_NewGraph());
  BufferPtr meta_graph(TF_NewBuffer());
  TF_Session* session =
      TF_LoadSessionFromSavedModel(options.get(), nullptr, export_dir.c_str(), tag_ptrs.data(),
                                   static_cast<int>(tag_ptrs.size()), graph.get(), meta_graph.get(),
                                   tf_status.s);
  if (!tf_status.ok() || session == nullptr) {
    *status = tf_status.ToStatus("");
    return nullptr;
  }
  // From here the SavedModelSession owns the graph and the session.
  std::unique_ptr<SavedModelSession> result(new SavedModelSession(graph.release(), session));
  result->meta_graph_def_.assign(static_cast<const char*>(meta_graph->data), meta_graph->length);

  TF_DeviceList* devices = TF_SessionListDevices(session, tf_status.s);
  if (tf_status.ok() && devices != nullptr) {
    for (int i = 0; i < TF_DeviceListCount(devices); ++i) {
      const char* name = TF_DeviceListName(devices, i, tf_status.s);
      if (tf_status.ok() && name != nullptr) result->devices_.emplace_back(name);
    }
  }
  if (devices != nullptr) TF_DeleteDeviceList(devices);
  return result;
}

SavedModelSession::~SavedModelSession() {
  TfStatus tf_status;
  TF_CloseSession(session_, tf_status.s);
  TF_DeleteSession(session_, tf_status.s);
  TF_DeleteGraph(graph_);
}

int SavedModelSession::ResolveEndpoint(const std::string& tensor_name, Status* status) {
  std::lock_guard<std::mutex> lock(endpoints_mu_);
  auto found = endpoint_ids_.find(tensor_name);
  if (found != endpoint_ids_.end()) return found->second;

  std::string op_name = tensor_name;
  int index = 0;
  size_t colon = tensor_name.rfind(':');
  if (colon != std::string::npos) {
    op_name = tensor_name.substr(0, colon);
    char* end = nullptr;
    const std::string digits = tensor_name.substr(colon + 1);
    long parsed = std::strtol(digits.c_str(), &end, 10);
    if (digits.empty() || *end != '\0' || parsed < 0) {
      *status = Status(kInvalidArgument, "malformed tensor name '" + tensor_name + "'");
      return -1;
    }
    index = static_cast<int>(parsed);
  }
  TF_Operation* op = TF_GraphOperationByName(graph_, op_name.c_str());
  if (op == nullptr || index >= TF_OperationNumOutputs(op)) {
    *status = Status(kNotFound, "tensor '" + tensor_name + "' is not in the model's graph");
    return -1;
  }
  int id = static_cast<int>(endpoints_.size());
  endpoints_.push_back(TF_Output{op, index});
  endpoint_ids_.emplace(tensor_name, id);
  return id;
}

TF_Output SavedModelSession::endpoint(int id) const {
  std::lock_guard<std::mutex> lock(endpoints_mu_);
  return endpoints_.at(static_cast<size_t>(id));
}

}  // namespace tessera
