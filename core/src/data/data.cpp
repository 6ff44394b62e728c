// Datasets, the IDX reader and the DataLoader.
#include "ember/data.h"

#include <tbb/task_group.h>
#include <zlib.h>

#include <algorithm>
#include <deque>
#include <future>
#include <numeric>
#include <random>

#include "ember/autograd.h"
#include "ember/factories.h"
#include "ember/functions.h"

namespace ember::data {

Example Dataset::get_batch(const std::vector<int64_t>& indices) {
  std::vector<Example> samples;
  samples.reserve(indices.size());
  for (int64_t i : indices) samples.push_back(get(size_t(i)));
  return transforms::Stack()(samples);
}

Example transforms::Stack::operator()(const std::vector<Example>& samples) const {
  EMBER_CHECK(!samples.empty(), "Stack: no samples to stack");
  std::vector<Tensor> data, targets;
  for (const Example& e : samples) {
    data.push_back(e.data);
    if (e.target.defined()) targets.push_back(e.target);
  }
  return {stack(data), targets.empty() ? Tensor() : stack(targets)};
}

TensorDataset::TensorDataset(Tensor data, Tensor targets) : data_(std::move(data)), targets_(std::move(targets)) {
  EMBER_CHECK(data_.defined() && data_.dim() >= 1, "TensorDataset: the data must have at least one dimension");
  EMBER_CHECK(!targets_.defined() || (targets_.dim() >= 1 && targets_.size(0) == data_.size(0)),
              "TensorDataset: ", data_.size(0), " samples but ", targets_.defined() ? targets_.size(0) : 0,
              " targets");
}

Example TensorDataset::get(size_t index) {
  EMBER_CHECK(index < size(), "TensorDataset: index ", index, " is out of range for ", size(), " samples");
  return {data_.select(0, int64_t(index)), targets_.defined() ? targets_.select(0, int64_t(index)) : Tensor()};
}

size_t TensorDataset::size() const { return size_t(data_.size(0)); }

Example TensorDataset::get_batch(const std::vector<int64_t>& indices) {
  const Tensor index = tensor(indices);
  return {data_.index_select(0, index), targets_.defined() ? targets_.index_select(0, index) : Tensor()};
}

namespace datasets {

// IDX: a big-endian magic (0, 0, type 0x08 = uint8, number of dims), the
// dims as big-endian uint32, then the data. zlib reads plain and gzip alike.
Tensor read_idx(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  EMBER_CHECK(file, "read_idx: cannot open '", path, "'");
  auto read_exact = [&](void* out, size_t n) {
    const int got = gzread(file, out, unsigned(n));
    return got >= 0 && size_t(got) == n;
  };
  unsigned char magic[4];
  if (!read_exact(magic, 4) || magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 || magic[3] == 0 || magic[3] > 4) {
    gzclose(file);
    EMBER_CHECK(false, "read_idx: '", path, "' is not an IDX file of unsigned bytes (bad magic number)");
  }
  std::vector<int64_t> dims;
  int64_t count = 1;
  for (int d = 0; d < magic[3]; ++d) {
    unsigned char be[4];
    if (!read_exact(be, 4)) {
      gzclose(file);
      EMBER_CHECK(false, "read_idx: '", path, "' ends inside its header");
    }
    const int64_t n = (int64_t(be[0]) << 24) | (int64_t(be[1]) << 16) | (int64_t(be[2]) << 8) | be[3];
    dims.push_back(n);
    count *= n;
    if (count > (int64_t(1) << 34)) {
      gzclose(file);
      EMBER_CHECK(false, "read_idx: '", path, "' declares more than 16 GiB of data");
    }
  }
  Tensor out = empty(dims, kUInt8);
  const bool ok = count == 0 || read_exact(out.data_ptr(), size_t(count));
  gzclose(file);
  EMBER_CHECK(ok, "read_idx: '", path, "' is truncated: its header declares ", count, " bytes of data");
  return out;
}

namespace {
std::string find_file(const std::string& root, const std::string& stem) {
  for (const std::string& name : {stem, stem + ".gz"}) {
    const std::string path = root + "/" + name;
    if (gzFile f = gzopen(path.c_str(), "rb")) {
      gzclose(f);
      return path;
    }
  }
  EMBER_CHECK(false, "MNIST: neither '", stem, "' nor '", stem, ".gz' is in '", root,
              "' (Fashion-MNIST: apt-get install dataset-fashion-mnist, root /usr/share/datasets/fashion-mnist)");
  return {};
}
}  // namespace

MNIST::MNIST(const std::string& root, Mode mode)
    : TensorDataset(ember::zeros({1}), Tensor()) {
  const std::string prefix = mode == Mode::kTrain ? "train" : "t10k";
  Tensor images = read_idx(find_file(root, prefix + "-images-idx3-ubyte"));
  Tensor labels = read_idx(find_file(root, prefix + "-labels-idx1-ubyte"));
  EMBER_CHECK(images.dim() == 3 && labels.dim() == 1 && images.size(0) == labels.size(0), "MNIST: ",
              images.sizes(), " images do not match ", labels.sizes(), " labels in '", root, "'");
  NoGradGuard no_grad;
  data_ = images.to(kFloat32).div_(255).unsqueeze(1);
  targets_ = labels.to(kInt64);
}

}  // namespace datasets

// Batches prepared ahead on oneTBB tasks, in order.
struct DataLoader::Prefetcher {
  tbb::task_group tasks;
  std::deque<std::future<Example>> futures;
  ~Prefetcher() { tasks.wait(); }
};

DataLoader::DataLoader(std::shared_ptr<Dataset> dataset, DataLoaderOptions options, Transform transform)
    : dataset_(std::move(dataset)), options_(options), transform_(std::move(transform)) {
  EMBER_CHECK(dataset_, "DataLoader: no dataset");
  EMBER_CHECK(options_.batch_size() > 0, "DataLoader: batch_size must be positive, got ", options_.batch_size());
  EMBER_CHECK(options_.workers() >= 0 && options_.prefetch() >= 1, "DataLoader: workers must be >= 0 and prefetch >= 1");
}

DataLoader::~DataLoader() = default;

int64_t DataLoader::size() const {
  const int64_t n = int64_t(dataset_->size()), b = options_.batch_size();
  return options_.drop_last() ? n / b : (n + b - 1) / b;
}

Example DataLoader::make_batch(int64_t batch) const {
  const int64_t n = int64_t(order_.size()), b = options_.batch_size();
  const int64_t begin = batch * b, end = std::min(n, begin + b);
  std::vector<int64_t> indices(order_.begin() + begin, order_.begin() + end);
  NoGradGuard no_grad;
  Example e = dataset_->get_batch(indices);
  return transform_ ? transform_(std::move(e)) : e;
}

DataLoader::Iterator DataLoader::begin() {
  // A new epoch: a new order, from a generator seeded by seed + epoch.
  if (prefetcher_) prefetcher_->tasks.wait();
  prefetcher_.reset();
  order_.resize(dataset_->size());
  std::iota(order_.begin(), order_.end(), int64_t(0));
  if (options_.shuffle()) {
    std::mt19937_64 generator(options_.seed() + epoch_);
    std::shuffle(order_.begin(), order_.end(), generator);
  }
  ++epoch_;
  if (options_.workers() > 0) prefetcher_ = std::make_unique<Prefetcher>();
  return Iterator(this, 0);
}

DataLoader::Iterator DataLoader::end() { return Iterator(nullptr, size()); }

DataLoader::Iterator::Iterator(DataLoader* loader, int64_t batch) : loader_(loader), batch_(batch) {
  if (loader_) load();
}

void DataLoader::Iterator::load() {
  if (batch_ >= loader_->size()) return;
  auto* p = loader_->prefetcher_.get();
  if (!p) {
    current_ = loader_->make_batch(batch_);
    return;
  }
  // Keep `prefetch` batches in flight beyond the current one.
  const int64_t want = std::min(loader_->size(), batch_ + 1 + loader_->options_.prefetch());
  int64_t next = p->futures.empty() ? batch_ : batch_ + int64_t(p->futures.size());
  while (next < want) {
    auto promise = std::make_shared<std::promise<Example>>();
    p->futures.push_back(promise->get_future());
    DataLoader* loader = loader_;
    const int64_t b = next++;
    p->tasks.run([loader, b, promise] {
      try {
        promise->set_value(loader->make_batch(b));
      } catch (...) {
        promise->set_exception(std::current_exception());
      }
    });
  }
  current_ = p->futures.front().get();
  p->futures.pop_front();
}

DataLoader::Iterator& DataLoader::Iterator::operator++() {
  ++batch_;
  load();
  return *this;
}

}  // namespace ember::data
