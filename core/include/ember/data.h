#pragma once
// Data: datasets, transforms, the MNIST/Fashion-MNIST reader, and a
// DataLoader that batches, shuffles with a seeded generator, and prefetches
// batches on oneTBB worker tasks.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ember/tensor.h"

namespace ember::data {

// One sample (or, after batching, one batch).
struct Example {
  Tensor data;
  Tensor target;
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual Example get(size_t index) = 0;
  virtual size_t size() const = 0;
  // A batch of samples; the default stacks get(i). Datasets backed by whole
  // tensors override it with one index_select.
  virtual Example get_batch(const std::vector<int64_t>& indices);
};

// Samples are rows of `data` and `targets`.
class TensorDataset : public Dataset {
 public:
  TensorDataset(Tensor data, Tensor targets);
  Example get(size_t index) override;
  size_t size() const override;
  Example get_batch(const std::vector<int64_t>& indices) override;
  const Tensor& data() const { return data_; }
  const Tensor& targets() const { return targets_; }

 protected:
  Tensor data_, targets_;
};

namespace transforms {
// (x - mean) / std on the data, as torchvision's Normalize.
struct Normalize {
  Normalize(double mean, double stddev) : mean(mean), stddev(stddev) {}
  Example operator()(Example e) const { return {(e.data - mean) / stddev, e.target}; }
  double mean, stddev;
};
// Stacks samples into a batch (what DataLoader does by default).
struct Stack {
  Example operator()(const std::vector<Example>& samples) const;
};
}  // namespace transforms

namespace datasets {
// MNIST and Fashion-MNIST in IDX form, plain or gzip-compressed:
// {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] under `root`. Images are
// float32 [N, 1, 28, 28] in [0, 1]; targets int64 [N].
class MNIST : public TensorDataset {
 public:
  enum class Mode { kTrain, kTest };
  explicit MNIST(const std::string& root, Mode mode = Mode::kTrain);
  MNIST(const std::string& root, bool train) : MNIST(root, train ? Mode::kTrain : Mode::kTest) {}
  const Tensor& images() const { return data_; }
};
// Reads one IDX file (any dimension, uint8 data) into a uint8 tensor.
Tensor read_idx(const std::string& path);
}  // namespace datasets

struct DataLoaderOptions {
  DataLoaderOptions(int64_t batch_size = 1) : batch_size_(batch_size) {}
#define EMBER_DATA_OPTION(type, name)   \
  DataLoaderOptions& name(type value) { \
    name##_ = value;                    \
    return *this;                       \
  }                                     \
  type name() const { return name##_; }
  EMBER_DATA_OPTION(int64_t, batch_size)
  EMBER_DATA_OPTION(bool, shuffle)
  EMBER_DATA_OPTION(bool, drop_last)
  EMBER_DATA_OPTION(int64_t, workers)   // batches assembled concurrently (0: on the caller's thread)
  EMBER_DATA_OPTION(int64_t, prefetch)  // batches prepared ahead when workers > 0
  EMBER_DATA_OPTION(uint64_t, seed)     // the shuffle's generator, reseeded each epoch with seed + epoch
#undef EMBER_DATA_OPTION
 private:
  int64_t batch_size_;
  bool shuffle_ = false, drop_last_ = false;
  int64_t workers_ = 0, prefetch_ = 2;
  uint64_t seed_ = 0;
};

// Iterates over batches of a dataset; each range-for is one epoch.
class DataLoader {
 public:
  using Transform = std::function<Example(Example)>;
  DataLoader(std::shared_ptr<Dataset> dataset, DataLoaderOptions options, Transform transform = nullptr);
  ~DataLoader();

  class Iterator {
   public:
    Example& operator*() { return current_; }
    Example* operator->() { return &current_; }
    Iterator& operator++();
    bool operator!=(const Iterator& o) const { return batch_ != o.batch_; }

   private:
    friend class DataLoader;
    Iterator(DataLoader* loader, int64_t batch);
    void load();
    DataLoader* loader_;
    int64_t batch_;
    Example current_;
  };
  Iterator begin();
  Iterator end();
  // Batches per epoch.
  int64_t size() const;

 private:
  struct Prefetcher;
  Example make_batch(int64_t batch) const;
  std::shared_ptr<Dataset> dataset_;
  DataLoaderOptions options_;
  Transform transform_;
  std::vector<int64_t> order_;
  uint64_t epoch_ = 0;
  std::unique_ptr<Prefetcher> prefetcher_;
};

}  // namespace ember::data
