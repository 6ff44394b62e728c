// Datasets, the IDX reader (plain and gzip, on Debian's Fashion-MNIST), and
// the DataLoader: batching, seeded shuffling, drop_last, prefetching workers.
#include <gtest/gtest.h>
#include <zlib.h>

#include <ember/ember.h>

#include "test_util.h"

#include <filesystem>
#include <fstream>
#include <functional>
#include <set>

namespace {

using ember::Tensor;
namespace data = ember::data;
namespace fs = std::filesystem;

using ember_test::error_of;

std::shared_ptr<data::TensorDataset> numbered(int64_t n) {
  return std::make_shared<data::TensorDataset>(ember::arange(n * 2, ember::kFloat32).reshape({n, 2}),
                                               ember::arange(n));
}

TEST(Dataset, TensorDatasetSamplesAndBatches) {
  auto ds = numbered(5);
  EXPECT_EQ(ds->size(), 5u);
  auto e = ds->get(3);
  EXPECT_EQ(e.data.to_vector<float>(), (std::vector<float>{6, 7}));
  EXPECT_EQ(e.target.item<int64_t>(), 3);
  auto b = ds->get_batch({4, 0});
  EXPECT_EQ(b.data.sizes(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(b.target.to_vector<int64_t>(), (std::vector<int64_t>{4, 0}));
  EXPECT_THROW(ds->get(5), ember::Error);
  EXPECT_THROW(data::TensorDataset(ember::zeros({3, 2}), ember::zeros({4})), ember::Error);
}

TEST(DataLoader, BatchesInOrderWithAShortLastBatch) {
  data::DataLoader loader(numbered(10), data::DataLoaderOptions(4));
  EXPECT_EQ(loader.size(), 3);
  std::vector<std::vector<int64_t>> batches;
  for (auto& batch : loader) batches.push_back(batch.target.to_vector<int64_t>());
  EXPECT_EQ(batches, (std::vector<std::vector<int64_t>>{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}}));
  data::DataLoader dropping(numbered(10), data::DataLoaderOptions(4).drop_last(true));
  int count = 0;
  for (auto& batch : dropping) {
    EXPECT_EQ(batch.data.size(0), 4);
    ++count;
  }
  EXPECT_EQ(count, 2);
}

std::vector<int64_t> epoch_order(data::DataLoader& loader) {
  std::vector<int64_t> order;
  for (auto& batch : loader)
    for (int64_t t : batch.target.to_vector<int64_t>()) order.push_back(t);
  return order;
}

TEST(DataLoader, ShufflesReproduciblyFromItsSeed) {
  data::DataLoader a(numbered(50), data::DataLoaderOptions(8).shuffle(true).seed(7));
  data::DataLoader b(numbered(50), data::DataLoaderOptions(8).shuffle(true).seed(7));
  const auto first = epoch_order(a), second = epoch_order(a);
  EXPECT_EQ(first, epoch_order(b)) << "same seed, same order";
  EXPECT_NE(first, second) << "each epoch reshuffles";
  EXPECT_EQ(std::set<int64_t>(first.begin(), first.end()).size(), 50u) << "every sample once";
  std::vector<int64_t> sorted = first;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_NE(first, sorted);
}

TEST(DataLoader, WorkersPrefetchTheSameBatches) {
  auto ds = numbered(103);
  data::DataLoader serial(ds, data::DataLoaderOptions(10).shuffle(true).seed(3));
  data::DataLoader parallel(ds, data::DataLoaderOptions(10).shuffle(true).seed(3).workers(2).prefetch(3));
  EXPECT_EQ(epoch_order(serial), epoch_order(parallel));
  // Stopping mid-epoch and starting again is safe.
  for (auto& batch : parallel) {
    (void)batch;
    break;
  }
  EXPECT_EQ(epoch_order(parallel).size(), 103u);
}

TEST(DataLoader, AppliesATransform) {
  data::DataLoader loader(numbered(4), data::DataLoaderOptions(4), data::transforms::Normalize(1, 2));
  for (auto& batch : loader) EXPECT_EQ(batch.data.to_vector<float>()[0], -0.5f);
}

// An IDX file of `bytes` with the given dims, gzip-compressed or not.
std::string write_idx(const std::string& name, std::vector<uint32_t> dims, const std::vector<uint8_t>& bytes,
                      bool gzip, size_t cut = 0) {
  std::string content = {0, 0, 8, char(dims.size())};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) content += char((d >> s) & 0xff);
  content.append(bytes.begin(), bytes.end());
  content.resize(content.size() - cut);
  const fs::path path = fs::temp_directory_path() / ("ember-idx-" + std::to_string(::getpid()) + name);
  if (gzip) {
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, content.data(), unsigned(content.size()));
    gzclose(f);
  } else {
    std::ofstream(path, std::ios::binary).write(content.data(), std::streamsize(content.size()));
  }
  return path.string();
}

TEST(Idx, ReadsPlainAndGzip) {
  const std::vector<uint8_t> bytes{1, 2, 3, 4, 5, 6};
  for (bool gzip : {false, true}) {
    Tensor t = data::datasets::read_idx(write_idx(gzip ? "a.gz" : "a", {2, 3}, bytes, gzip));
    EXPECT_EQ(t.dtype(), ember::kUInt8);
    EXPECT_EQ(t.sizes(), (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(t.to_vector<uint8_t>(), bytes);
  }
  const std::string truncated = error_of([&] { data::datasets::read_idx(write_idx("t", {2, 3}, bytes, false, 2)); });
  EXPECT_NE(truncated.find("truncated"), std::string::npos) << truncated;
  const std::string missing = error_of([] { data::datasets::read_idx("/nonexistent.idx"); });
  EXPECT_NE(missing.find("cannot open"), std::string::npos) << missing;
  const std::string path = write_idx("m", {1}, {0}, false);
  std::fstream(path, std::ios::in | std::ios::out | std::ios::binary).write("\x01", 1);
  EXPECT_NE(error_of([&] { data::datasets::read_idx(path); }).find("bad magic"), std::string::npos);
}

const char* kFashion = "/usr/share/datasets/fashion-mnist";

TEST(MNIST, ReadsFashionMnist) {
  // Debian's dataset-fashion-mnist (installed by tools/setup-debian.sh).
  data::datasets::MNIST train(kFashion, data::datasets::MNIST::Mode::kTrain);
  data::datasets::MNIST test(kFashion, /*train=*/false);
  EXPECT_EQ(train.size(), 60000u);
  EXPECT_EQ(test.size(), 10000u);
  EXPECT_EQ(train.images().sizes(), (std::vector<int64_t>{60000, 1, 28, 28}));
  EXPECT_EQ(train.targets().slice(0, 0, 10).to_vector<int64_t>(), (std::vector<int64_t>{9, 0, 0, 3, 0, 2, 7, 2, 5, 5}));
  EXPECT_EQ(test.targets().slice(0, 0, 10).to_vector<int64_t>(), (std::vector<int64_t>{9, 2, 1, 1, 6, 1, 4, 6, 5, 7}));
  // The first training image: its pixel sum is 76247 / 255 and pixel (14, 14) is 217.
  Tensor first = train.get(0).data;
  EXPECT_NEAR(first.sum().item<double>(), 76247.0 / 255, 1e-3);
  EXPECT_FLOAT_EQ(first.index({0, 14, 14}).item<float>(), 217.0f / 255);
  EXPECT_NE(error_of([] { data::datasets::MNIST("/nonexistent"); }).find("dataset-fashion-mnist"), std::string::npos);
}

}  // namespace
