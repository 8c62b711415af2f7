#include "tessera/batch_threads.h"

#include <algorithm>

namespace tessera {

BatchThreads::BatchThreads(int num_threads) : num_threads_(std::max(1, num_threads)) {
  for (int i = 0; i < num_threads_; ++i) threads_.emplace_back([this] { Loop(); });
}

BatchThreads::~BatchThreads() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_.notify_all();
  slot_free_.notify_all();
  for (auto& t : threads_) t.join();
}

void BatchThreads::Add(BatchSource* source) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    sources_.push_back(Entry{source, 0});
  }
  work_.notify_all();
}

void BatchThreads::Remove(BatchSource* source) {
  std::unique_lock<std::mutex> lock(mu_);
  auto find = [&] {
    return std::find_if(sources_.begin(), sources_.end(), [&](const Entry& e) { return e.source == source; });
  };
  retired_.wait(lock, [&] { return find() == sources_.end() || find()->running == 0; });
  auto it = find();
  if (it != sources_.end()) sources_.erase(it);
}

// Taking the lock before notifying closes the race with a thread that has just scanned the
// sources (under the lock) and found nothing: it is either still scanning, and will see the new
// task, or already waiting, and gets this notification.
void BatchThreads::Notify() {
  { std::lock_guard<std::mutex> lock(mu_); }
  work_.notify_one();
}

bool BatchThreads::TryClaimSlot() {
  int current = processing_.load();
  while (current < num_threads_) {
    if (processing_.compare_exchange_weak(current, current + 1)) return true;
  }
  return false;
}

// A batch thread announces itself in slot_waiters_ before its last try for a slot, and this
// release is ordered before the read of slot_waiters_ (both sequentially consistent): either that
// try sees the slot free, or this sees the waiter and notifies it under the lock it waits with.
void BatchThreads::ReleaseSlot() {
  processing_--;
  if (slot_waiters_.load() > 0) {
    { std::lock_guard<std::mutex> lock(mu_); }
    slot_free_.notify_one();
  }
}

void BatchThreads::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    if (!TryClaimSlot()) {  // request threads are running batches in every slot
      slot_waiters_++;
      const bool claimed = TryClaimSlot();
      if (!claimed) slot_free_.wait_for(lock, std::chrono::milliseconds(10));  // (the wait is a backstop)
      slot_waiters_--;
      if (!claimed) continue;
    }
    std::function<void()> job;
    BatchSource* from = nullptr;
    auto deadline = BatchSource::Clock::time_point::max();
    for (size_t i = 0; i < sources_.size() && !job; ++i) {
      const size_t at = (next_ + i) % sources_.size();
      job = sources_[at].source->TakeReadyBatch(&deadline);
      if (job) {
        from = sources_[at].source;
        sources_[at].running++;
        next_ = at + 1;
      }
    }
    if (!job) {
      Unclaim();
      if (deadline == BatchSource::Clock::time_point::max()) {
        work_.wait(lock);
      } else {
        work_.wait_until(lock, deadline);
      }
      continue;
    }
    lock.unlock();
    work_.notify_one();  // another thread may take the next ready batch
    job();
    Unclaim();
    lock.lock();
    for (Entry& e : sources_) {
      if (e.source == from) e.running--;
    }
    retired_.notify_all();
  }
}

}  // namespace tessera
