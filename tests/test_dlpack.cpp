// DLPack exchange: to_dlpack / from_dlpack share memory without copying,
// keep shapes, strides and offsets, map dtypes, and run each deleter exactly
// once, when the last tensor sharing the memory is gone.
//
// The DLPack structs and codes are the standard's (dlpack.h, v0.6: kDLFloat,
// kDLInt, kDLUInt, kDLBfloat; it has no bool type). The dtype table below is
// what PyTorch 1.13's torch.utils.dlpack uses for the same dtypes.
#include <gtest/gtest.h>

#include <dlpack/dlpack.h>
#include <ember/ember.h>

#include "test_util.h"

#include <cstdint>
#include <string>
#include <vector>

namespace {

using namespace ember;
using Longs = std::vector<int64_t>;

using ember_test::error_of;

// A DLPack producer of our own: host memory it owns, described by a
// DLManagedTensor whose deleter counts its calls.
struct Producer {
  std::vector<double> memory;
  std::vector<int64_t> shape, strides;
  DLManagedTensor managed{};
  int deleted = 0;

  Producer(std::vector<double> values, std::vector<int64_t> shape_, std::vector<int64_t> strides_ = {})
      : memory(std::move(values)), shape(std::move(shape_)), strides(std::move(strides_)) {
    DLTensor& dl = managed.dl_tensor;
    dl.data = memory.data();
    dl.device = {kDLCPU, 0};
    dl.ndim = int32_t(shape.size());
    dl.dtype = {kDLFloat, 64, 1};
    dl.shape = shape.data();
    dl.strides = strides.empty() ? nullptr : strides.data();  // null: compact row-major
    dl.byte_offset = 0;
    managed.manager_ctx = this;
    managed.deleter = [](DLManagedTensor* self) { ++static_cast<Producer*>(self->manager_ctx)->deleted; };
  }
};

// ---------------------------------------------------------------- export

TEST(ToDLPack, DescribesTheTensorsMemory) {
  Tensor t = arange(6, kFloat32).view({2, 3});
  DLManagedTensor* m = to_dlpack(t);
  ASSERT_NE(m, nullptr);
  const DLTensor& dl = m->dl_tensor;
  EXPECT_EQ(dl.data, t.data_ptr());  // zero copy
  EXPECT_EQ(dl.device.device_type, kDLCPU);
  EXPECT_EQ(dl.device.device_id, 0);
  EXPECT_EQ(dl.ndim, 2);
  EXPECT_EQ(Longs(dl.shape, dl.shape + 2), (Longs{2, 3}));
  ASSERT_NE(dl.strides, nullptr);
  EXPECT_EQ(Longs(dl.strides, dl.strides + 2), (Longs{3, 1}));
  EXPECT_EQ(dl.byte_offset, 0u);
  EXPECT_EQ(dl.dtype.code, kDLFloat);
  EXPECT_EQ(dl.dtype.bits, 32);
  EXPECT_EQ(dl.dtype.lanes, 1);
  m->deleter(m);
}

TEST(ToDLPack, KeepsStridesAndOffsetOfAView) {
  Tensor base = arange(12, kFloat64).view({3, 4});
  Tensor v = base.t().slice(0, 1, 4, 2);  // [2, 3], strides [2, 4], offset 1
  DLManagedTensor* m = to_dlpack(v);
  const DLTensor& dl = m->dl_tensor;
  EXPECT_EQ(Longs(dl.shape, dl.shape + 2), (Longs{2, 3}));
  EXPECT_EQ(Longs(dl.strides, dl.strides + 2), (Longs{2, 4}));
  EXPECT_EQ(dl.byte_offset, 1u * sizeof(double));
  EXPECT_EQ(static_cast<char*>(dl.data) + dl.byte_offset, v.data_ptr());
  // the element (i, j) of the view is at data + byte_offset + (i*2 + j*4) doubles
  const double* first = reinterpret_cast<const double*>(static_cast<char*>(dl.data) + dl.byte_offset);
  EXPECT_EQ(first[1 * 2 + 2 * 4], v[1][2].item<double>());
  m->deleter(m);
}

TEST(ToDLPack, TheExportKeepsTheMemoryAliveUntilItsDeleterRuns) {
  Tensor t = tensor({1.5f, 2.5f});
  const long before = t.use_count();
  DLManagedTensor* m = to_dlpack(t);
  EXPECT_EQ(t.use_count(), before + 1);  // the export holds a reference
  const float* data = static_cast<const float*>(m->dl_tensor.data);
  t = Tensor();  // the last user handle goes away...
  EXPECT_EQ(data[1], 2.5f);  // ...but the memory stays valid for the consumer
  m->deleter(m);
}

TEST(ToDLPack, ZeroDimensionalAndEmptyTensors) {
  DLManagedTensor* s = to_dlpack(tensor(int64_t(7)));
  EXPECT_EQ(s->dl_tensor.ndim, 0);
  EXPECT_EQ(*static_cast<const int64_t*>(s->dl_tensor.data), 7);
  s->deleter(s);
  DLManagedTensor* e = to_dlpack(zeros({0, 3}));
  EXPECT_EQ(e->dl_tensor.ndim, 2);
  EXPECT_EQ(e->dl_tensor.shape[0], 0);
  e->deleter(e);
}

TEST(ToDLPack, AnUndefinedTensorIsRejected) {
  EXPECT_ERROR_HAS(to_dlpack(Tensor()), "to_dlpack", "undefined");
}

// --------------------------------------------------------------- dtypes

TEST(DLPackDtypes, EachDtypeMapsBothWays) {
  struct Row {
    Dtype dtype;
    uint8_t code, bits;
  };
  // torch.utils.dlpack's mapping for the same dtypes
  const Row rows[] = {{kFloat32, kDLFloat, 32},  {kFloat64, kDLFloat, 64}, {kFloat16, kDLFloat, 16},
                      {kBFloat16, kDLBfloat, 16}, {kInt32, kDLInt, 32},     {kInt64, kDLInt, 64},
                      {kUInt8, kDLUInt, 8}};
  for (const Row& row : rows) {
    Tensor t = ones({2}, row.dtype);
    DLManagedTensor* m = to_dlpack(t);
    EXPECT_EQ(m->dl_tensor.dtype.code, row.code) << row.dtype;
    EXPECT_EQ(m->dl_tensor.dtype.bits, row.bits) << row.dtype;
    EXPECT_EQ(m->dl_tensor.dtype.lanes, 1) << row.dtype;
    Tensor back = from_dlpack(m);
    EXPECT_EQ(back.dtype(), row.dtype);
    EXPECT_EQ(back.to_vector<double>(), (std::vector<double>{1, 1})) << row.dtype;
  }
}

TEST(DLPackDtypes, UnsupportedTypesAreRejectedAndReleased) {
  const DLDataType unsupported[] = {
      {kDLInt, 8, 1},     // int8
      {kDLInt, 16, 1},    // int16
      {kDLUInt, 1, 1},    // 1-bit
      {kDLFloat, 32, 4},  // a vector type
      {kDLComplex, 64, 1},
  };
  for (const DLDataType& type : unsupported) {
    Producer p({1, 2}, {2});
    p.managed.dl_tensor.dtype = type;
    if (type.lanes != 1)
      EXPECT_ERROR_HAS(from_dlpack(&p.managed), "from_dlpack", "lanes=4", "not supported");
    else
      EXPECT_ERROR_HAS(from_dlpack(&p.managed), "from_dlpack", "unsupported DLPack dtype", "int32, int64 and uint8");
    EXPECT_EQ(p.deleted, 1) << "from_dlpack owns the tensor it is given, even when it refuses it";
  }
}

TEST(DLPackDtypes, BoolIsRejectedBothWays) {
  EXPECT_ERROR_HAS(to_dlpack(tensor({true, false})), "to_dlpack", "bool", "kUInt8");
  Producer p({1}, {1});
  p.managed.dl_tensor.dtype = {6, 8, 1};  // kDLBool in DLPack 0.8 and later
  EXPECT_ERROR_HAS(from_dlpack(&p.managed), "from_dlpack", "bool", "uint8");
  EXPECT_EQ(p.deleted, 1);
}

// ---------------------------------------------------------------- import

TEST(FromDLPack, SharesTheProducersMemory) {
  Producer p({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor t = from_dlpack(&p.managed);
  EXPECT_EQ(t.dtype(), kFloat64);
  EXPECT_EQ(t.sizes(), (Longs{2, 3}));
  EXPECT_EQ(t.strides(), (Longs{3, 1}));  // null strides: compact row-major
  EXPECT_EQ(t.device(), Device(kCPU));
  EXPECT_EQ(t.data_ptr<double>(), p.memory.data());
  p.memory[4] = 50;  // the producer's writes show in the tensor
  EXPECT_EQ(t[1][1].item<double>(), 50.0);
  t.mul_(2);  // and the tensor's in the producer's memory
  EXPECT_EQ(p.memory[0], 2.0);
  t = Tensor();
  EXPECT_EQ(p.deleted, 1);
}

TEST(FromDLPack, KeepsStridesAndOffsets) {
  Producer p({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {3, 2}, {1, 4});
  p.managed.dl_tensor.byte_offset = 2 * sizeof(double);
  Tensor t = from_dlpack(&p.managed);
  EXPECT_EQ(t.sizes(), (Longs{3, 2}));
  EXPECT_EQ(t.strides(), (Longs{1, 4}));
  EXPECT_EQ(t.storage_offset(), 2);
  EXPECT_FALSE(t.is_contiguous());
  EXPECT_EQ(t.data_ptr<double>(), p.memory.data() + 2);
  EXPECT_EQ(t.to_vector<double>(), (std::vector<double>{2, 6, 3, 7, 4, 8}));
}

TEST(FromDLPack, ZeroDimensionalAndEmpty) {
  Producer s({3.25}, {});
  Tensor t = from_dlpack(&s.managed);
  EXPECT_EQ(t.dim(), 0);
  EXPECT_EQ(t.item<double>(), 3.25);
  Producer e({}, {0, 4});
  Tensor u = from_dlpack(&e.managed);
  EXPECT_EQ(u.sizes(), (Longs{0, 4}));
  EXPECT_EQ(u.numel(), 0);
}

TEST(FromDLPack, TheDeleterRunsOnceWhenTheLastTensorDies) {
  Producer p({1, 2, 3, 4}, {2, 2});
  {
    Tensor t = from_dlpack(&p.managed);
    Tensor copy = t;                // another handle
    Tensor view = t.t().select(0, 1);  // a view of the same memory
    Tensor alias = t.detach();
    t = Tensor();
    copy = Tensor();
    EXPECT_EQ(p.deleted, 0);
    alias = Tensor();
    EXPECT_EQ(p.deleted, 0);
    EXPECT_EQ(view.to_vector<double>(), (std::vector<double>{2, 4}));  // still readable
  }  // the view goes: the memory is released
  EXPECT_EQ(p.deleted, 1);
}

TEST(FromDLPack, ACopyDoesNotHoldTheProducersMemory) {
  Producer p({1, 2, 3}, {3});
  Tensor copy;
  {
    Tensor t = from_dlpack(&p.managed);
    copy = t.clone();
  }
  EXPECT_EQ(p.deleted, 1);
  EXPECT_EQ(copy.to_vector<double>(), (std::vector<double>{1, 2, 3}));
}

TEST(FromDLPack, RejectsOtherDevicesAndBadLayouts) {
  {
    Producer p({1}, {1});
    p.managed.dl_tensor.device = {kDLCUDA, 0};
    EXPECT_ERROR_HAS(from_dlpack(&p.managed), "from_dlpack", "CPU");
    EXPECT_EQ(p.deleted, 1);
  }
  {
    Producer p({1, 2, 3}, {3}, {-1});  // a reversed array
    p.managed.dl_tensor.byte_offset = 2 * sizeof(double);
    EXPECT_ERROR_HAS(from_dlpack(&p.managed), "from_dlpack", "negative", "[-1]");
    EXPECT_EQ(p.deleted, 1);
  }
  EXPECT_ERROR_HAS(from_dlpack(nullptr), "from_dlpack", "null");
}

// ------------------------------------------------------------- round trip

TEST(DLPackRoundTrip, GivesBackTheSameMemoryAndGeometry) {
  Tensor base = arange(24, kFloat32).view({2, 3, 4});
  Tensor v = base.permute({2, 0, 1}).slice(0, 1, 3);  // [2, 2, 3], offset 1
  Tensor back = from_dlpack(to_dlpack(v));
  EXPECT_EQ(back.data_ptr(), v.data_ptr());
  EXPECT_EQ(back.sizes(), v.sizes());
  EXPECT_EQ(back.strides(), v.strides());
  EXPECT_EQ(back.storage_offset(), v.storage_offset());
  EXPECT_EQ(back.dtype(), kFloat32);
  EXPECT_EQ(back.to_vector<float>(), v.to_vector<float>());
  back.fill_(-1);  // one memory: the base sees the write
  EXPECT_EQ(base.select(2, 1).to_vector<float>(), std::vector<float>(6, -1.0f));
  EXPECT_EQ(base.select(2, 0).to_vector<float>(), (std::vector<float>{0, 4, 8, 12, 16, 20}));
}

TEST(DLPackRoundTrip, TheImportKeepsTheOriginalStorageAlive) {
  Tensor t = tensor({1, 2, 3});
  Tensor back = from_dlpack(to_dlpack(t));
  const long held = t.use_count();  // t's handle is also held by the export
  EXPECT_EQ(held, 2);
  back = Tensor();  // the import goes: its deleter releases the export
  EXPECT_EQ(t.use_count(), 1);
  back = from_dlpack(to_dlpack(t));
  t = Tensor();  // the original goes first: the import keeps the memory
  EXPECT_EQ(back.to_vector<int64_t>(), (Longs{1, 2, 3}));
}

}  // namespace
