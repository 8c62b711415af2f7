// One loaded SavedModel: a TF_Graph plus the TF_Session that runs it.
//
// Thread-safety: Run-side calls (ResolveEndpoint, and RunCall::Run on this session) may be made
// concurrently from any thread; TF_SessionRun is thread-safe. Destruction must happen only after
// every RunCall on the session is finished: the Java owner guarantees this with ref-counted
// servable handles.
#ifndef TESSERA_SAVED_MODEL_SESSION_H_
#define TESSERA_SAVED_MODEL_SESSION_H_

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "tensorflow_c/tf_c_min.h"
#include "tessera/status.h"

namespace tessera {

class SavedModelSession {
 public:
  // Loads `export_dir` with the given MetaGraph tags. `config` is a serialized
  // tensorflow.ConfigProto (may be empty). Returns nullptr and sets *status on failure.
  static std::unique_ptr<SavedModelSession> Load(const std::string& export_dir,
                                                 const std::vector<std::string>& tags,
                                                 const std::string& config, Status* status);
  ~SavedModelSession();

  SavedModelSession(const SavedModelSession&) = delete;
  SavedModelSession& operator=(const SavedModelSession&) = delete;

  // The serialized MetaGraphDef TensorFlow loaded (SignatureDefs live here).
  const std::string& meta_graph_def() const { return meta_graph_def_; }
  // Frees the MetaGraphDef bytes once the owner has parsed them.
  void DropMetaGraphDef() { std::string().swap(meta_graph_def_); }

  // Resolves a tensor name such as "x:0" (or "x", meaning index 0) to an endpoint id usable with
  // RunCall. Ids are stable for the session's lifetime. Returns -1 and sets *status if unknown.
  int ResolveEndpoint(const std::string& tensor_name, Status* status);
  TF_Output endpoint(int id) const;

  const std::vector<std::string>& devices() const { return devices_; }
  TF_Session* tf_session() const { return session_; }
  // The loaded graph (read-only use: TF's graph accessors lock it themselves).
  TF_Graph* tf_graph() const { return graph_; }

 private:
  SavedModelSession(TF_Graph* graph, TF_Session* session) : graph_(graph), session_(session) {}

  TF_Graph* graph_;
  TF_Session* session_;
  std::string meta_graph_def_;
  std::vector<std::string> devices_;
  mutable std::mutex endpoints_mu_;
  std::vector<TF_Output> endpoints_;
  std::unordered_map<std::string, int> endpoint_ids_;
};

}  // namespace tessera

#endif  // TESSERA_SAVED_MODEL_SESSION_H_
