// Fashion-MNIST: an MLP or a small CNN trained with Adam, a progress bar,
// the test accuracy after each epoch, and a checkpoint to resume from.
//   fashion_mnist [--model mlp|cnn] [--device cpu|opencl:0|...] [--epochs N]
//                 [--batch-size N] [--lr X] [--seed N] [--data DIR]
//                 [--checkpoint DIR] [--resume] [--limit N] [--min-accuracy X]
// The data is Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).
// --limit trains and tests on the first N samples (a quick run); with
// --min-accuracy the program fails when the final test accuracy is lower.
#include <ember/ember.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>

namespace nn = ember::nn;
namespace optim = ember::optim;
namespace data = ember::data;
using ember::Tensor;

// 784-256-128-10 with ReLU.
struct MlpImpl : nn::Module {
  MlpImpl() {
    fc1 = register_module("fc1", nn::Linear(784, 256));
    fc2 = register_module("fc2", nn::Linear(256, 128));
    fc3 = register_module("fc3", nn::Linear(128, 10));
  }
  Tensor forward(const Tensor& x) {
    Tensor h = ember::relu(fc1(x.flatten(1)));
    h = ember::relu(fc2(h));
    return fc3(h);
  }
  nn::Linear fc1{nullptr}, fc2{nullptr}, fc3{nullptr};
};
EMBER_MODULE(Mlp);

// Two 3x3 convolutions, each followed by ReLU and 2x2 max pooling, then two
// fully connected layers: 28x28 -> 14x14x32 -> 7x7x64 -> 128 -> 10.
struct CnnImpl : nn::Module {
  CnnImpl() {
    conv1 = register_module("conv1", nn::Conv2d(nn::Conv2dOptions(1, 32, 3).padding(1)));
    conv2 = register_module("conv2", nn::Conv2d(nn::Conv2dOptions(32, 64, 3).padding(1)));
    pool = register_module("pool", nn::MaxPool2d(2));
    fc1 = register_module("fc1", nn::Linear(64 * 7 * 7, 128));
    dropout = register_module("dropout", nn::Dropout(0.25));
    fc2 = register_module("fc2", nn::Linear(128, 10));
  }
  Tensor forward(const Tensor& x) {
    Tensor h = pool(ember::relu(conv1(x)));
    h = pool(ember::relu(conv2(h)));
    h = dropout(ember::relu(fc1(h.flatten(1))));
    return fc2(h);
  }
  nn::Conv2d conv1{nullptr}, conv2{nullptr};
  nn::MaxPool2d pool{nullptr};
  nn::Linear fc1{nullptr}, fc2{nullptr};
  nn::Dropout dropout{nullptr};
};
EMBER_MODULE(Cnn);

struct Args {
  std::string model = "cnn", device = "cpu", data = "/usr/share/datasets/fashion-mnist", checkpoint;
  int64_t epochs = 0, batch_size = 64, limit = 0;
  double lr = 1e-3, min_accuracy = 0;
  uint64_t seed = 0;
  bool resume = false;
};

Args parse(int argc, char** argv) {
  Args a;
  auto value = [&](int& i) -> std::string {
    if (i + 1 >= argc) throw std::runtime_error(std::string(argv[i]) + " needs a value");
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--model") a.model = value(i);
    else if (arg == "--device") a.device = value(i);
    else if (arg == "--data") a.data = value(i);
    else if (arg == "--checkpoint") a.checkpoint = value(i);
    else if (arg == "--epochs") a.epochs = std::stoll(value(i));
    else if (arg == "--batch-size") a.batch_size = std::stoll(value(i));
    else if (arg == "--limit") a.limit = std::stoll(value(i));
    else if (arg == "--lr") a.lr = std::stod(value(i));
    else if (arg == "--min-accuracy") a.min_accuracy = std::stod(value(i));
    else if (arg == "--seed") a.seed = std::stoull(value(i));
    else if (arg == "--resume") a.resume = true;
    else throw std::runtime_error("unknown argument " + arg);
  }
  if (a.model != "mlp" && a.model != "cnn") throw std::runtime_error("--model is mlp or cnn, not " + a.model);
  if (a.epochs == 0) a.epochs = a.model == "cnn" ? 8 : 15;
  return a;
}

// The first `limit` samples (all when 0), normalised as torchvision's
// Fashion-MNIST examples do.
std::shared_ptr<data::TensorDataset> load(const std::string& root, bool train, int64_t limit) {
  data::datasets::MNIST full(root, train);
  Tensor images = full.images(), targets = full.targets();
  if (limit > 0 && limit < images.size(0)) {
    images = images.narrow(0, 0, limit);
    targets = targets.narrow(0, 0, limit);
  }
  return std::make_shared<data::TensorDataset>((images - 0.2860) / 0.3530, targets);
}

// One line, redrawn in place on a terminal; elsewhere only the last one.
class ProgressBar {
 public:
  explicit ProgressBar(int64_t total) : total_(total), tty_(isatty(fileno(stdout))) {}
  void update(int64_t done, const std::string& what, bool last = false) {
    if (!tty_ && !last) return;
    constexpr int kWidth = 30;
    const int filled = int(kWidth * done / std::max<int64_t>(total_, 1));
    std::string bar(size_t(filled), '=');
    if (filled < kWidth) bar += '>' + std::string(size_t(kWidth - filled - 1), ' ');
    std::printf("%s[%s] %3d%% %s%s", tty_ ? "\r" : "", bar.c_str(), int(100 * done / std::max<int64_t>(total_, 1)),
                what.c_str(), last ? "\n" : "");
    std::fflush(stdout);
  }

 private:
  int64_t total_;
  bool tty_;
};

template <typename Model>
double test_accuracy(Model& model, data::TensorDataset& test, const ember::Device& device) {
  ember::NoGradGuard no_grad;
  model->eval();
  int64_t correct = 0;
  data::DataLoader loader(std::shared_ptr<data::Dataset>(&test, [](data::Dataset*) {}), data::DataLoaderOptions(1000));
  for (auto& batch : loader) {
    const Tensor predicted = model->forward(batch.data.to(device)).argmax(1);
    correct += (predicted == batch.target.to(device)).sum().template item<int64_t>();
  }
  model->train();
  return double(correct) / double(test.size());
}

template <typename Model>
int train(Model model, const Args& args) {
  const ember::Device device(args.device);
  model->to(device);
  optim::Adam optimizer(model->parameters(), optim::AdamOptions(args.lr));
  auto train_set = load(args.data, true, args.limit);
  auto test_set = load(args.data, false, args.limit);
  std::printf("%s on %s: %zu training and %zu test images, batch %lld, Adam lr %g\n", args.model.c_str(),
              device.str().c_str(), train_set->size(), test_set->size(), (long long)args.batch_size, args.lr);

  // A checkpoint is the model, the optimizer's state, and the epochs done.
  const std::filesystem::path dir = args.checkpoint;
  int64_t first_epoch = 1;
  if (args.resume && !dir.empty() && std::filesystem::exists(dir / "progress.safetensors")) {
    ember::load(*model, (dir / "model.safetensors").string());
    ember::load(optimizer, (dir / "optimizer.safetensors").string());
    first_epoch = ember::load_tensors((dir / "progress.safetensors").string()).at("epoch").item<int64_t>() + 1;
    std::printf("resumed from %s after epoch %lld\n", dir.c_str(), (long long)(first_epoch - 1));
  }

  data::DataLoader loader(train_set, data::DataLoaderOptions(args.batch_size).shuffle(true).seed(args.seed).workers(1));
  double accuracy = 0;
  for (int64_t epoch = first_epoch; epoch <= args.epochs; ++epoch) {
    ProgressBar bar(int64_t(train_set->size()));
    const auto start = std::chrono::steady_clock::now();
    double loss_sum = 0;
    int64_t seen = 0, correct = 0, step = 0;
    for (auto& batch : loader) {
      const Tensor x = batch.data.to(device), y = batch.target.to(device);
      optimizer.zero_grad();
      const Tensor logits = model->forward(x);
      const Tensor loss = nn::functional::cross_entropy(logits, y);
      loss.backward();
      optimizer.step();
      const int64_t n = x.size(0);
      loss_sum += loss.item<double>() * double(n);
      correct += (logits.argmax(1) == y).sum().template item<int64_t>();
      seen += n;
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const bool last = seen == int64_t(train_set->size());
      if (++step % 10 == 0 || last) {
        char what[160];
        std::snprintf(what, sizeof what, "epoch %lld/%lld loss %.4f acc %.2f%% %.0f samples/s", (long long)epoch,
                      (long long)args.epochs, loss_sum / double(seen), 100.0 * double(correct) / double(seen),
                      double(seen) / seconds);
        bar.update(seen, what, last);
      }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    accuracy = test_accuracy(model, *test_set, device);
    std::printf("epoch %lld: %.1f s, test accuracy %.2f%%\n", (long long)epoch, seconds, 100 * accuracy);
    if (!dir.empty()) {
      std::filesystem::create_directories(dir);
      ember::save(*model, (dir / "model.safetensors").string());
      ember::save(optimizer, (dir / "optimizer.safetensors").string());
      ember::save(std::map<std::string, Tensor>{{"epoch", ember::tensor(epoch)}}, (dir / "progress.safetensors").string());
    }
  }
  if (first_epoch > args.epochs) accuracy = test_accuracy(model, *test_set, device);
  std::printf("test accuracy: %.2f%%\n", 100 * accuracy);
  if (accuracy < args.min_accuracy) {
    std::fprintf(stderr, "test accuracy %.2f%% is below --min-accuracy %.2f%%\n", 100 * accuracy,
                 100 * args.min_accuracy);
    return 1;
  }
  return 0;
}

int main(int argc, char** argv) {
  try {
    const Args args = parse(argc, argv);
    ember::manual_seed(args.seed);
    return args.model == "cnn" ? train(Cnn(), args) : train(Mlp(), args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fashion_mnist: %s\n", e.what());
    return 2;
  }
}
