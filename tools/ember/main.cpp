// `ember`: what a user or a plugin author asks of an installation.
//   ember devices                    plugins found, whether each loaded (and why not), devices
//   ember info                       version, threads, plugin search path, fallback mode
//   ember check-backend PLUGIN.so [--filter NAME,...] [--no-gradcheck] [--quiet]
//                                    loads PLUGIN.so and runs the conformance kit on
//                                    each of its devices; exit status 1 on any failure
#include <ember/ember.h>
#include <ember/sdk/abi.h>
#include <ember/testkit/conformance.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr const char* kUsage =
    "usage: ember devices\n"
    "       ember info\n"
    "       ember check-backend PLUGIN.so [--filter NAME,...] [--no-gradcheck] [--quiet]\n";

void print_plugin(const ember::plugins::PluginInfo& p) {
  std::cout << "  " << p.name << (p.version.empty() ? "" : " " + p.version) << "  "
            << (p.loaded ? "loaded" : "not loaded: " + p.reason) << "\n    " << p.path << "\n";
  for (const std::string& type : p.device_types) {
    const int n = ember::device_count(ember::DeviceType(type));
    std::cout << "    device type " << type << ": " << n << (n == 1 ? " device" : " devices") << "\n";
  }
}

int devices() {
  std::cout << "Plugins:\n";
  for (const auto& p : ember::plugins::list()) print_plugin(p);
  std::cout << "Devices:";
  for (const auto& d : ember::devices()) std::cout << " " << d;
  std::cout << "\n";
  for (const auto& d : ember::devices()) std::cout << "  " << d << ": " << ember::plugins::device_name(d) << "\n";
  return 0;
}

int info() {
  std::cout << "Ember " << EMBER_VERSION_STRING << " (plugin ABI " << EMBER_ABI_VERSION << ")\n";
  std::cout << "CPU threads: " << ember::get_num_threads() << "\n";
  std::cout << "Plugin search path:\n";
  for (const auto& dir : ember::plugins::search_path()) std::cout << "  " << dir << "\n";
  const char* env = std::getenv("EMBER_FALLBACK");
  std::cout << "Fallback to the CPU: "
            << (ember::get_fallback() == ember::FallbackMode::Strict ? "strict (an op without a kernel is an error)"
                                                                     : "warn (an op without a kernel runs on the CPU)")
            << (env ? std::string(" [EMBER_FALLBACK=") + env + "]" : "") << "\n";
  return 0;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> parts;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, ',');)
    if (!part.empty()) parts.push_back(part);
  return parts;
}

int check_backend(int argc, char** argv) {
  std::string path;
  ember::testkit::ConformanceOptions options;
  bool quiet = false;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--filter") == 0 && i + 1 < argc)
      options.filter = split(argv[++i]);
    else if (std::strcmp(argv[i], "--no-gradcheck") == 0)
      options.gradcheck = false;
    else if (std::strcmp(argv[i], "--quiet") == 0)
      quiet = true;
    else if (path.empty() && argv[i][0] != '-')
      path = argv[i];
    else {
      std::cerr << kUsage;
      return 2;
    }
  }
  if (path.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  const auto plugin = ember::plugins::load(path);
  print_plugin(plugin);
  if (!plugin.loaded) return 2;
  if (plugin.device_types.empty()) {
    std::cout << "It adds no device types: nothing to check.\n";
    return 0;
  }
  bool passed = true;
  for (const std::string& type : plugin.device_types) {
    const int n = ember::device_count(ember::DeviceType(type));
    for (int index = 0; index < n; ++index) {
      const ember::Device device(ember::DeviceType(type), index);
      if (!quiet) options.progress = &std::cerr;
      std::cout << "\n== " << device << "\n";
      const auto results = ember::testkit::run_conformance(device, options);
      ember::testkit::print_conformance_table(std::cout, results);
      passed = passed && ember::testkit::conformance_passed(results);
    }
  }
  std::cout << (passed ? "\nconformance: no case failed\n" : "\nconformance: FAILED\n");
  return passed ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string command = argv[1];
  try {
    if (command == "devices") return devices();
    if (command == "info") return info();
    if (command == "check-backend") return check_backend(argc - 2, argv + 2);
    if (command == "--help" || command == "-h" || command == "help") {
      std::cout << kUsage;
      return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << "ember " << command << ": " << e.what() << "\n";
    return 1;
  }
  std::cerr << "ember: unknown command '" << command << "'\n" << kUsage;
  return 2;
}
