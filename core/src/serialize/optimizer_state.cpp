// Optimizer checkpoints in the safetensors format, laid out like PyTorch's
// optimizer.state_dict(): "state.<index>.<key>" tensors, the index counting
// the parameters of every group in order, and the param_groups (their
// hyperparameters and the indices of their parameters) as JSON in the
// header's __metadata__ (which holds only strings):
//   {"optimizer": "Adam", "param_groups": "[{\"lr\": 0.001, ..., \"params\": [0, 1]}]"}
// Step counts are int64 scalars, so a restored optimizer continues bit for
// bit.
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

#include "ember/autograd.h"
#include "ember/factories.h"
#include "ember/optim/adagrad.h"
#include "ember/optim/adam.h"
#include "ember/optim/adamw.h"
#include "ember/optim/optimizer.h"
#include "ember/optim/rmsprop.h"
#include "ember/serialize.h"
#include "tensor/make.h"

namespace ember {
namespace {

using json = nlohmann::json;
using TensorMap = std::map<std::string, Tensor>;
using namespace optim;

// ---- What each optimizer class stores ----
// Note [Optimizer checkpoint formats]
// Per optimizer class: its per-parameter state as named tensors (PyTorch's
// keys) and back, and its options as JSON (PyTorch's names) and back. Kept
// beside the file format rather than as virtuals of the optimizers, so the
// optimizers stay free of serialisation; a new optimizer adds one Format.
struct Format {
  const char* name;
  bool (*is)(const Optimizer&);
  TensorMap (*tensors_of)(const OptimizerParamState&);
  // Takes the tensors it uses out of the map; what is left over is an Error.
  std::unique_ptr<OptimizerParamState> (*state_of)(TensorMap&);
  json (*options_of)(const OptimizerOptions&);
  // Sets `options` (a clone of the group's current options) from the JSON.
  void (*set_options)(OptimizerOptions& options, const json&);
};

// `t[key]`, removed from `t`; undefined when absent.
Tensor take(TensorMap& t, const std::string& key) {
  auto it = t.find(key);
  if (it == t.end()) return {};
  Tensor out = it->second;
  t.erase(it);
  return out;
}
Tensor take_required(TensorMap& t, const std::string& key) {
  Tensor out = take(t, key);
  EMBER_CHECK(out.defined(), "load: an optimizer state lacks '", key, "'");
  return out;
}
// A step count is one int64, so it stays exact (PyTorch 1.13 keeps a float).
int64_t take_step(TensorMap& t) {
  const Tensor step = take_required(t, "step");
  EMBER_CHECK(step.dtype() == kInt64 && step.numel() == 1, "load: a 'step' is not one int64 but ", step.dtype(),
              " of shape ", ember::detail::shape_str(step.sizes()));
  return step.item<int64_t>();
}
void put(TensorMap& t, const std::string& key, const Tensor& value) {
  if (value.defined()) t.emplace(key, value);
}

TensorMap adam_tensors(const OptimizerParamState& state) {
  const auto& s = static_cast<const AdamParamState&>(state);
  TensorMap t{{"step", tensor(s.step)}};
  put(t, "exp_avg", s.exp_avg);
  put(t, "exp_avg_sq", s.exp_avg_sq);
  put(t, "max_exp_avg_sq", s.max_exp_avg_sq);
  return t;
}
std::unique_ptr<OptimizerParamState> adam_state(TensorMap& t) {
  auto s = std::make_unique<AdamParamState>();
  s->step = take_step(t);
  s->exp_avg = take_required(t, "exp_avg");
  s->exp_avg_sq = take_required(t, "exp_avg_sq");
  s->max_exp_avg_sq = take(t, "max_exp_avg_sq");
  return s;
}
template <typename O>
json adam_options(const OptimizerOptions& options) {
  const auto& o = static_cast<const O&>(options);
  return {{"lr", o.lr()},
          {"betas", {std::get<0>(o.betas()), std::get<1>(o.betas())}},
          {"eps", o.eps()},
          {"weight_decay", o.weight_decay()},
          {"amsgrad", o.amsgrad()}};
}
template <typename O>
void set_adam_options(OptimizerOptions& options, const json& j) {
  static_cast<O&>(options)
      .lr(j.at("lr").get<double>())
      .betas({j.at("betas").at(0).get<double>(), j.at("betas").at(1).get<double>()})
      .eps(j.at("eps").get<double>())
      .weight_decay(j.at("weight_decay").get<double>())
      .amsgrad(j.at("amsgrad").get<bool>());
}

template <typename T>
bool is(const Optimizer& o) {
  return dynamic_cast<const T*>(&o) != nullptr;
}

const Format kFormats[] = {
    {"SGD", is<SGD>,
     [](const OptimizerParamState& state) {
       TensorMap t;
       put(t, "momentum_buffer", static_cast<const SGDParamState&>(state).momentum_buffer);
       return t;
     },
     [](TensorMap& t) -> std::unique_ptr<OptimizerParamState> {
       auto s = std::make_unique<SGDParamState>();
       s->momentum_buffer = take(t, "momentum_buffer");
       return s;
     },
     [](const OptimizerOptions& options) -> json {
       const auto& o = static_cast<const SGDOptions&>(options);
       return {{"lr", o.lr()},
               {"momentum", o.momentum()},
               {"dampening", o.dampening()},
               {"weight_decay", o.weight_decay()},
               {"nesterov", o.nesterov()}};
     },
     [](OptimizerOptions& options, const json& j) {
       static_cast<SGDOptions&>(options)
           .lr(j.at("lr").get<double>())
           .momentum(j.at("momentum").get<double>())
           .dampening(j.at("dampening").get<double>())
           .weight_decay(j.at("weight_decay").get<double>())
           .nesterov(j.at("nesterov").get<bool>());
     }},
    {"Adam", is<Adam>, adam_tensors, adam_state, adam_options<AdamOptions>, set_adam_options<AdamOptions>},
    {"AdamW", is<AdamW>, adam_tensors, adam_state, adam_options<AdamWOptions>, set_adam_options<AdamWOptions>},
    {"RMSprop", is<RMSprop>,
     [](const OptimizerParamState& state) {
       const auto& s = static_cast<const RMSpropParamState&>(state);
       TensorMap t{{"step", tensor(s.step)}};
       put(t, "square_avg", s.square_avg);
       put(t, "momentum_buffer", s.momentum_buffer);
       put(t, "grad_avg", s.grad_avg);
       return t;
     },
     [](TensorMap& t) -> std::unique_ptr<OptimizerParamState> {
       auto s = std::make_unique<RMSpropParamState>();
       s->step = take_step(t);
       s->square_avg = take_required(t, "square_avg");
       s->momentum_buffer = take(t, "momentum_buffer");
       s->grad_avg = take(t, "grad_avg");
       return s;
     },
     [](const OptimizerOptions& options) -> json {
       const auto& o = static_cast<const RMSpropOptions&>(options);
       return {{"lr", o.lr()},
               {"alpha", o.alpha()},
               {"eps", o.eps()},
               {"weight_decay", o.weight_decay()},
               {"momentum", o.momentum()},
               {"centered", o.centered()}};
     },
     [](OptimizerOptions& options, const json& j) {
       static_cast<RMSpropOptions&>(options)
           .lr(j.at("lr").get<double>())
           .alpha(j.at("alpha").get<double>())
           .eps(j.at("eps").get<double>())
           .weight_decay(j.at("weight_decay").get<double>())
           .momentum(j.at("momentum").get<double>())
           .centered(j.at("centered").get<bool>());
     }},
    {"Adagrad", is<Adagrad>,
     [](const OptimizerParamState& state) {
       const auto& s = static_cast<const AdagradParamState&>(state);
       TensorMap t{{"step", tensor(s.step)}};
       put(t, "sum", s.sum);
       return t;
     },
     [](TensorMap& t) -> std::unique_ptr<OptimizerParamState> {
       auto s = std::make_unique<AdagradParamState>();
       s->step = take_step(t);
       s->sum = take_required(t, "sum");
       return s;
     },
     [](const OptimizerOptions& options) -> json {
       const auto& o = static_cast<const AdagradOptions&>(options);
       return {{"lr", o.lr()},
               {"lr_decay", o.lr_decay()},
               {"weight_decay", o.weight_decay()},
               {"initial_accumulator_value", o.initial_accumulator_value()},
               {"eps", o.eps()}};
     },
     [](OptimizerOptions& options, const json& j) {
       static_cast<AdagradOptions&>(options)
           .lr(j.at("lr").get<double>())
           .lr_decay(j.at("lr_decay").get<double>())
           .weight_decay(j.at("weight_decay").get<double>())
           .initial_accumulator_value(j.at("initial_accumulator_value").get<double>())
           .eps(j.at("eps").get<double>());
     }},
};

const Format& format_of(const Optimizer& optimizer, const char* op) {
  for (const Format& f : kFormats)
    if (f.is(optimizer)) return f;
  EMBER_CHECK(false, op,
              ": optimizer checkpoints support SGD, Adam, AdamW, RMSprop and Adagrad; this optimizer is "
              "none of them");
  std::abort();
}

// ---- Reading the file ----

// The header's __metadata__ of safetensors bytes that load_tensors_from_bytes
// has already validated.
std::map<std::string, std::string> metadata_of(const std::vector<char>& bytes) {
  uint64_t length = 0;
  for (int i = 0; i < 8; ++i) length |= uint64_t(static_cast<unsigned char>(bytes[size_t(i)])) << (8 * i);
  const json header = json::parse(bytes.data() + 8, bytes.data() + 8 + length);
  std::map<std::string, std::string> out;
  if (header.contains("__metadata__"))
    for (const auto& [k, v] : header["__metadata__"].items()) out[k] = v.get<std::string>();
  return out;
}

std::vector<char> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  EMBER_CHECK(in, "load: cannot open '", path, "'");
  const std::streamoff size = in.tellg();
  in.seekg(0);
  std::vector<char> bytes(size_t(std::max<std::streamoff>(size, 0)));
  if (!bytes.empty()) in.read(bytes.data(), size);
  EMBER_CHECK(in, "load: reading '", path, "' failed");
  return bytes;
}

// Every parameter of every group, in order: the checkpoint's indices.
std::vector<Tensor> all_params(const Optimizer& optimizer) {
  std::vector<Tensor> out;
  for (const auto& group : optimizer.param_groups())
    for (const Tensor& p : group.params()) out.push_back(p);
  return out;
}

}  // namespace

void save(const optim::Optimizer& optimizer, const std::string& path) {
  const Format& format = format_of(optimizer, "save");
  // state() has no const overload; it is only read here.
  auto& states = const_cast<Optimizer&>(optimizer).state();
  TensorMap tensors;
  json groups = json::array();
  int64_t index = 0;
  for (const auto& group : optimizer.param_groups()) {
    json g = format.options_of(group.options());
    g["params"] = json::array();
    for (const Tensor& p : group.params()) {
      g["params"].push_back(index);
      auto it = states.find(p.unsafe_impl());
      if (it != states.end() && it->second)
        for (const auto& [key, t] : format.tensors_of(*it->second))
          tensors.emplace("state." + std::to_string(index) + "." + key, t);
      ++index;
    }
    groups.push_back(std::move(g));
  }
  save(tensors, path, {{"optimizer", format.name}, {"param_groups", groups.dump()}});
}

void load(optim::Optimizer& optimizer, const std::string& path) {
  const Format& format = format_of(optimizer, "load");
  const std::vector<char> bytes = read_file(path);
  TensorMap loaded;
  try {
    loaded = load_tensors_from_bytes(bytes.data(), bytes.size());
  } catch (const Error& e) {
    throw Error(std::string(e.what()) + " (" + path + ")");
  }
  const auto metadata = metadata_of(bytes);
  auto kind = metadata.find("optimizer");
  EMBER_CHECK(kind != metadata.end() && metadata.count("param_groups"), "load: '", path,
              "' is not an optimizer checkpoint (its metadata lacks 'optimizer' or 'param_groups')");
  EMBER_CHECK(kind->second == format.name, "load: '", path, "' holds the state of ", kind->second, ", not of ",
              format.name, "; load it into a ", kind->second);

  // Everything is checked and built first; the optimizer changes only at the end.
  const std::vector<Tensor> params = all_params(optimizer);
  std::vector<std::unique_ptr<OptimizerOptions>> new_options;
  try {
    const json groups = json::parse(metadata.at("param_groups"));
    EMBER_CHECK(groups.is_array() && groups.size() == optimizer.param_groups().size(), "load: '", path, "' has ",
                groups.is_array() ? groups.size() : 0, " parameter groups, the optimizer ",
                optimizer.param_groups().size());
    for (size_t g = 0; g < groups.size(); ++g) {
      const auto& group = optimizer.param_groups()[g];
      EMBER_CHECK(groups[g].at("params").size() == group.params().size(), "load: parameter group ", g, " of '", path,
                  "' has ", groups[g].at("params").size(), " parameters, the optimizer's ", group.params().size());
      new_options.push_back(group.options().clone());
      format.set_options(*new_options.back(), groups[g]);
    }
  } catch (const json::exception& e) {
    EMBER_CHECK(false, "load: the param_groups of '", path, "' are malformed: ", e.what());
  }

  // "state.<index>.<key>" -> the tensors of each parameter.
  std::map<size_t, TensorMap> by_param;
  for (const auto& [name, t] : loaded) {
    const size_t first = name.find('.'), second = name.find('.', first + 1);
    EMBER_CHECK(name.compare(0, 6, "state.") == 0 && second != std::string::npos && second > 6, "load: '", path,
                "' has a tensor '", name, "' that is not state.<index>.<key>");
    const std::string digits = name.substr(6, second - 6);
    EMBER_CHECK(digits.find_first_not_of("0123456789") == std::string::npos && digits.size() < 10, "load: '", path,
                "' has a tensor '", name, "' whose index is not a number");
    const size_t index = std::stoul(digits);
    EMBER_CHECK(index < params.size(), "load: '", path, "' has state for parameter ", index, " but the optimizer has ",
                params.size(), " parameters");
    by_param[index].emplace(name.substr(second + 1), t);
  }
  std::map<size_t, std::unique_ptr<OptimizerParamState>> new_states;
  NoGradGuard no_grad;
  for (auto& [index, tensors] : by_param) {
    const Tensor& p = params[index];
    for (auto& [key, t] : tensors) {
      if (key == "step") continue;
      EMBER_CHECK(t.sizes().equals(p.sizes()), "load: state '", key, "' of parameter ", index, " has shape ",
                  ember::detail::shape_str(t.sizes()), " in '", path, "' but the parameter has shape ",
                  ember::detail::shape_str(p.sizes()), "; load into an optimizer over the same parameters");
      t = t.to(TensorOptions().device(p.device()).dtype(p.dtype()));
    }
    new_states[index] = format.state_of(tensors);
    EMBER_CHECK(tensors.empty(), "load: '", path, "' has a state '", tensors.begin()->first, "' for parameter ", index,
                " that ", format.name, " does not keep");
  }

  for (size_t g = 0; g < new_options.size(); ++g) optimizer.param_groups()[g].set_options(std::move(new_options[g]));
  auto& states = optimizer.state();
  for (size_t i = 0; i < params.size(); ++i) {
    auto it = new_states.find(i);
    if (it == new_states.end())
      states.erase(params[i].unsafe_impl());
    else
      states[params[i].unsafe_impl()] = std::move(it->second);
  }
}

}  // namespace ember
