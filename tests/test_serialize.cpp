// safetensors checkpoints: round trips, files written by Python's
// safetensors, module state, atomic saves, and malformed files.
#include <gtest/gtest.h>

#include <ember/ember.h>

#include "test_util.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>

namespace {

using ember::Tensor;
namespace fs = std::filesystem;

using ember_test::error_of;

fs::path temp_file(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("ember-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

// A safetensors file from a header and data bytes.
std::string file_bytes(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  const uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[i] = char((n >> (8 * i)) & 0xff);
  return out + header + data;
}

std::string load_error(const std::string& bytes) {
  return error_of([&] { ember::load_tensors_from_bytes(bytes.data(), bytes.size()); });
}

TEST(Safetensors, RoundTripsEveryDtype) {
  std::map<std::string, Tensor> tensors{
      {"f32", ember::arange(6, ember::kFloat32).reshape({2, 3}).t()},  // non-contiguous on purpose
      {"f64", ember::tensor({1.5, -2.0})},
      {"i32", ember::tensor({1, -2, 3}, ember::kInt32)},
      {"i64", ember::tensor(std::vector<int64_t>{1LL << 40})},
      {"bool", ember::tensor({true, false})},
      {"u8", ember::tensor({0, 200}, ember::kUInt8)},
      {"f16", ember::tensor({0.5f, 3.0f}).to(ember::kFloat16)},
      {"bf16", ember::tensor({0.5f, -3.0f}).to(ember::kBFloat16)},
      {"empty", ember::zeros({0, 4})},
      {"scalar", ember::tensor(7.0f)},
  };
  const auto path = temp_file("round.safetensors").string();
  ember::save(tensors, path, {{"note", "ember"}});
  auto loaded = ember::load_tensors(path);
  ASSERT_EQ(loaded.size(), tensors.size());
  for (const auto& [name, t] : tensors) {
    const Tensor& got = loaded.at(name);
    EXPECT_EQ(got.dtype(), t.dtype()) << name;
    EXPECT_EQ(got.sizes(), t.sizes()) << name;
    EXPECT_TRUE(got.equal(t)) << name;
  }
}

TEST(Safetensors, ReadsWhatPythonWrote) {
  // tests/gen/safetensors_fixture.py
  auto t = ember::load_tensors(EMBER_TEST_DATA "/python_written.safetensors");
  EXPECT_EQ(t.at("weight").to_vector<float>(), (std::vector<float>{0, 0.25f, 0.5f, 0.75f, 1, 1.25f}));
  EXPECT_EQ(t.at("weight").sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(t.at("steps").to_vector<int64_t>(), (std::vector<int64_t>{7, -1}));
  EXPECT_EQ(t.at("mask").to_vector<bool>(), (std::vector<bool>{true, false, true}));
  EXPECT_EQ(t.at("half").dtype(), ember::kFloat16);
  EXPECT_EQ(t.at("half").to_vector<float>(), (std::vector<float>{1.5f, -2.25f}));
  EXPECT_EQ(t.at("bytes").to_vector<uint8_t>(), (std::vector<uint8_t>{0, 255}));
  EXPECT_EQ(t.at("scalar").dim(), 0);
  EXPECT_EQ(t.at("scalar").item<double>(), 3.25);
}

struct TinyImpl : ember::nn::Module {
  TinyImpl() {
    fc = register_module("fc", ember::nn::Linear(3, 2));
    register_buffer("count", ember::tensor(std::vector<int64_t>{5}));
  }
  ember::nn::Linear fc{nullptr};
};
EMBER_MODULE(Tiny);

TEST(Safetensors, SavesAndLoadsModuleState) {
  Tiny a, b;
  const auto path = temp_file("module.safetensors").string();
  ember::save(*a, path);
  auto state = ember::load_tensors(path);
  EXPECT_EQ(state.size(), 3u);
  EXPECT_TRUE(state.count("fc.weight") && state.count("fc.bias") && state.count("count"));
  EXPECT_FALSE(b->fc->weight.equal(a->fc->weight));
  Tensor weight_handle = b->fc->weight;
  ember::load(*b, path);
  EXPECT_TRUE(b->fc->weight.equal(a->fc->weight));
  EXPECT_TRUE(weight_handle.is_same(b->fc->weight)) << "loading writes into the existing parameters";
  EXPECT_TRUE(b->fc->weight.requires_grad());
}

TEST(Safetensors, LoadingAMismatchedFileChangesNothing) {
  Tiny module;
  const Tensor before = module->fc->weight.clone();
  const auto path = temp_file("wrong.safetensors").string();
  ember::save(std::map<std::string, Tensor>{{"fc.weight", ember::zeros({2, 3})}, {"fc.bias", ember::zeros({5})},
                                            {"count", ember::zeros({1}, ember::kInt64)}},
              path);
  const std::string message = error_of([&] { ember::load(*module, path); });
  EXPECT_NE(message.find("'fc.bias' has shape [5]"), std::string::npos) << message;
  EXPECT_TRUE(module->fc->weight.equal(before));
}

TEST(Safetensors, SavingReplacesTheFileAtomically) {
  const auto path = temp_file("atomic.safetensors");
  ember::save(std::map<std::string, Tensor>{{"x", ember::ones({2})}}, path.string());
  ember::save(std::map<std::string, Tensor>{{"x", ember::zeros({3})}}, path.string());
  EXPECT_EQ(ember::load_tensors(path.string()).at("x").numel(), 3);
  for (const auto& entry : fs::directory_iterator(path.parent_path()))
    EXPECT_EQ(entry.path().string().find(".tmp-"), std::string::npos) << "a temporary file was left behind";
  const std::string message =
      error_of([] { ember::save(std::map<std::string, Tensor>{{"x", ember::ones({1})}}, "/nonexistent/dir/x.st"); });
  EXPECT_NE(message.find("cannot write"), std::string::npos) << message;
}

TEST(Safetensors, MalformedFilesAreErrors) {
  const std::string good = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  const std::string eight(8, '\0');
  EXPECT_EQ(load_error(file_bytes(good, eight)), "no error was raised");
  EXPECT_NE(load_error("abc").find("fewer than the 8"), std::string::npos);
  EXPECT_NE(load_error(file_bytes(good, eight).substr(0, 20)).find("truncated"), std::string::npos);
  std::string huge(8, '\xff');
  EXPECT_NE(load_error(huge + "{}").find("exceeds the limit"), std::string::npos);
  EXPECT_NE(load_error(file_bytes("{not json", "")).find("not valid JSON"), std::string::npos);
  EXPECT_NE(load_error(file_bytes(R"({"a":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}})", eight))
                .find("unknown dtype 'F33'"),
            std::string::npos);
  EXPECT_NE(load_error(file_bytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}})", eight))
                .find("out of the data"),
            std::string::npos);
  EXPECT_NE(load_error(file_bytes(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", eight))
                .find("need 12"),
            std::string::npos);
  EXPECT_NE(load_error(file_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                  R"("b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}})",
                                  eight))
                .find("overlaps"),
            std::string::npos);
  EXPECT_NE(load_error(file_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", eight))
                .find("hole"),
            std::string::npos);
  EXPECT_NE(load_error(file_bytes(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}})", ""))
                .find("non-negative"),
            std::string::npos);
  EXPECT_NE(load_error(file_bytes(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})",
                                  ""))
                .find("larger than the file"),
            std::string::npos);
  EXPECT_NE(load_error(file_bytes("[]", "")).find("not a JSON object"), std::string::npos);
}

}  // namespace
