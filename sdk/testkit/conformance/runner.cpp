// run_conformance: each case of the table on the device and on the CPU.
// Note [Conformance outcome]
// A case runs with the fallback allowed (Warn) and the core's fallback log
// reset; it fails on the first mismatch or error. If it passed, the ops that
// fell back to the CPU meanwhile (ember::fallback_ops) decide between "pass"
// (the device's own kernels did everything) and "fell back". A dtype the
// device cannot even store and read back is skipped; a case with none of its
// dtypes left is "unsupported".
#include <chrono>
#include <exception>
#include <ostream>

#include "case.h"
#include "ember/testkit/conformance.h"
#include "ember/testkit/gradcheck.h"

namespace ember::testkit {

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::Pass:
      return "pass";
    case Outcome::FellBack:
      return "fell back";
    case Outcome::Unsupported:
      return "unsupported";
    case Outcome::Fail:
      return "fail";
  }
  return "?";
}

namespace conformance {

const std::vector<Case>& case_table() {
  static const std::vector<Case> table = [] {
    std::vector<Case> t;
    add_elementwise_cases(t);
    add_reduction_cases(t);
    add_data_cases(t);
    add_nn_cases(t);
    add_random_cases(t);
    add_training_cases(t);
    return t;
  }();
  return table;
}

namespace {

// The device stores `dtype` and gives it back unchanged.
bool holds(const Device& device, Dtype dtype) {
  try {
    const Tensor x = ember::arange(3).to(dtype);
    return x.to(device).cpu().equal(x);
  } catch (const std::exception&) {
    return false;
  }
}

// The layouts every op case's inputs take on the device: a plain copy, the
// transpose of a contiguous transpose (same values, non-contiguous strides),
// and every other element of a larger buffer (strided, with an offset).
enum class Layout { Contiguous, Transposed, Sliced };
const char* layout_name(Layout l) {
  return l == Layout::Contiguous ? "contiguous" : l == Layout::Transposed ? "transposed" : "sliced";
}
bool applies(Layout l, const Tensors& inputs) {
  for (const Tensor& x : inputs)
    if (l == Layout::Contiguous || (l == Layout::Transposed && x.dim() >= 2) ||
        (l == Layout::Sliced && x.dim() >= 1 && x.numel() > 0))
      return true;
  return false;
}
Tensor place(const Tensor& x, const Device& device, Layout layout) {
  NoGradGuard no_grad;
  if (layout == Layout::Transposed && x.dim() >= 2)
    return x.transpose(-1, -2).contiguous().to(device).transpose(-1, -2);
  if (layout == Layout::Sliced && x.dim() >= 1 && x.numel() > 0) {
    std::vector<int64_t> sizes(x.sizes().begin(), x.sizes().end());
    sizes.back() = 2 * sizes.back() + 1;
    Tensor buffer = ember::zeros(sizes, ember::dtype(x.dtype()).device(device));
    Tensor view = buffer.slice(-1, 1, sizes.back(), 2);
    view.copy_(x.to(device));
    return view;
  }
  return x.to(device).clone();  // never the CPU input itself, even on the CPU
}

struct Evaluation {
  Tensors outputs;
  Tensors grads;  // one per floating input, when backward ran
};

// fn on `inputs`; with `weights`, also the gradients of
// sum_k (output_k * weights_k).sum() with respect to the floating inputs.
Evaluation evaluate(const Case& c, const Tensors& inputs, const Tensors* weights) {
  Tensors x = inputs;
  Tensors leaves;
  if (weights)
    for (Tensor& t : x)
      if (t.is_floating_point()) {
        t = t.detach().requires_grad_(true);
        leaves.push_back(t);
      }
  Evaluation e;
  e.outputs = c.fn(x);
  if (weights && !leaves.empty()) {
    Tensor loss;
    for (size_t k = 0; k < e.outputs.size() && k < weights->size(); ++k) {
      const Tensor& out = e.outputs[k];
      if (!out.defined() || !out.requires_grad() || !(*weights)[k].defined()) continue;
      const Tensor term = (out * (*weights)[k]).sum();
      loss = loss.defined() ? loss + term : term;
    }
    if (loss.defined()) {
      e.grads = autograd::grad({loss}, leaves, {}, {}, false, /*allow_unused=*/true);
      for (size_t i = 0; i < e.grads.size(); ++i)
        if (!e.grads[i].defined()) e.grads[i] = ember::zeros_like(leaves[i]).detach();
    }
  }
  for (Tensor& out : e.outputs)
    if (out.defined()) out = out.detach();
  return e;
}

void run_op_case(const Case& c, const Device& device, Dtype dtype, const ConformanceOptions& options) {
  SampleRng rng(c.name + "/" + std::string(dtype_name(dtype)));
  const bool backward = c.differentiable && (dtype == kFloat32 || dtype == kFloat64);
  bool gradchecked = false;
  for (const Sample& sample : c.samples(dtype, rng)) {
    // The CPU's answer; with backward, weights for the outputs (fixed random
    // values, so that every output element counts with its own factor).
    Tensors weights;
    if (backward)
      for (const Tensor& out : evaluate(c, sample.inputs, nullptr).outputs)
        weights.push_back(out.defined() && out.is_floating_point() ? rng.uniform(out.sizes(), out.dtype()) : Tensor());
    const Evaluation want = evaluate(c, sample.inputs, backward ? &weights : nullptr);
    Tensors device_weights;
    for (const Tensor& w : weights) device_weights.push_back(w.defined() ? w.to(device) : Tensor());

    for (Layout layout : {Layout::Contiguous, Layout::Transposed, Layout::Sliced}) {
      if (!applies(layout, sample.inputs)) continue;
      const std::string where =
          " (" + sample.label + ", " + layout_name(layout) + ", " + std::string(dtype_name(dtype)) + ")";
      Tensors inputs;
      for (const Tensor& x : sample.inputs) inputs.push_back(place(x, device, layout));
      const Evaluation got = evaluate(c, inputs, backward ? &device_weights : nullptr);
      expect(got.outputs.size() == want.outputs.size(), "a different number of outputs" + where);
      for (size_t k = 0; k < want.outputs.size(); ++k) {
        if (got.outputs[k].defined())
          expect(got.outputs[k].device() == device.normalized(),
                 "output " + std::to_string(k) + where + " is on " + got.outputs[k].device().str());
        expect_close(got.outputs[k], want.outputs[k], c.tol, "output " + std::to_string(k) + where);
      }
      if (!backward) continue;
      expect(got.grads.size() == want.grads.size(), "a different number of gradients" + where);
      const Tolerance grad_tol{c.tol.rtol * 10, c.tol.atol * 10};
      for (size_t i = 0; i < want.grads.size(); ++i)
        expect_close(got.grads[i], want.grads[i], grad_tol,
                     "the gradient of floating input " + std::to_string(i) + where);
    }

    // Finite differences on the device itself, once per case, on the first
    // sample without an empty input.
    bool empty = false;
    for (const Tensor& x : sample.inputs) empty = empty || x.numel() == 0;
    if (dtype == kFloat64 && c.differentiable && c.gradcheck && options.gradcheck && !gradchecked && !empty) {
      gradchecked = true;
      Tensors inputs;
      for (const Tensor& x : sample.inputs) {
        Tensor t = x.to(device).clone();
        if (t.is_floating_point()) t.requires_grad_(true);
        inputs.push_back(t);
      }
      const GradcheckResult r = gradcheck(c.fn, inputs);
      expect(r.ok, "gradcheck (" + sample.label + ", float64) on the device: " + r.message);
    }
  }
}

std::string dtype_list(const std::vector<Dtype>& dtypes) {
  std::string s;
  for (Dtype d : dtypes) s += (s.empty() ? "" : ", ") + std::string(dtype_name(d));
  return s;
}

bool selected(const Case& c, const ConformanceOptions& options) {
  if (c.group == "training" && !options.training) return false;
  if (c.group == "random" && !options.random) return false;
  if (options.filter.empty()) return true;
  for (const std::string& f : options.filter)
    if (c.name.find(f) != std::string::npos) return true;
  return false;
}

CaseResult run_case(const Case& c, const Device& device, const ConformanceOptions& options,
                    const std::vector<bool>& held) {
  CaseResult result;
  result.name = c.name;
  result.group = c.group;
  std::vector<Dtype> missing;
  std::vector<Dtype> run;
  for (Dtype d : c.dtypes) (held[size_t(d)] ? run : missing).push_back(d);
  for (Dtype d : run) result.dtypes.emplace_back(dtype_name(d));
  if (run.empty()) {
    result.outcome = Outcome::Unsupported;
    result.message = "the device does not hold " + dtype_list(missing);
    return result;
  }
  const auto start = std::chrono::steady_clock::now();
  ember::reset_fallback_ops();
  try {
    for (Dtype d : run) {
      if (c.program)
        c.program(device, d);
      else
        run_op_case(c, device, d, options);
    }
    result.outcome = Outcome::Pass;
  } catch (const Mismatch& e) {
    result.outcome = Outcome::Fail;
    result.message = e.what();
  } catch (const std::exception& e) {
    result.outcome = Outcome::Fail;
    result.message = std::string("error: ") + e.what();
  }
  for (const FallbackOp& f : ember::fallback_ops())
    if (f.device_type == device.type().name()) result.fallback_ops.push_back(f.op);
  if (result.outcome == Outcome::Pass && !result.fallback_ops.empty()) result.outcome = Outcome::FellBack;
  if (result.outcome != Outcome::Fail && !missing.empty())
    result.message = "skipped " + dtype_list(missing) + ": the device does not hold them";
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace
}  // namespace conformance

std::vector<std::string> conformance_case_names() {
  std::vector<std::string> names;
  for (const auto& c : conformance::case_table()) names.push_back(c.name);
  return names;
}

std::vector<CaseResult> run_conformance(const Device& device, const ConformanceOptions& options) {
  using namespace conformance;
  const Device target = device.normalized();
  // The device must exist: an unknown type or index is an Error naming what there is.
  (void)ember::zeros({1}).to(target);
  struct RestoreMode {
    FallbackMode mode = ember::get_fallback();
    ~RestoreMode() { ember::set_fallback(mode); }
  } restore;
  ember::set_fallback(FallbackMode::Warn);
  std::vector<bool> held(kNumDtypes);
  for (int d = 0; d < kNumDtypes; ++d) held[size_t(d)] = holds(target, Dtype(d));
  std::vector<CaseResult> results;
  for (const Case& c : case_table()) {
    if (!selected(c, options)) continue;
    results.push_back(run_case(c, target, options, held));
    if (options.progress) {
      const CaseResult& r = results.back();
      *options.progress << r.name << " ... " << outcome_name(r.outcome);
      if (r.outcome == Outcome::Fail) *options.progress << ": " << r.message;
      *options.progress << std::endl;
    }
  }
  return results;
}

bool conformance_passed(const std::vector<CaseResult>& results) {
  for (const CaseResult& r : results)
    if (r.outcome == Outcome::Fail) return false;
  return true;
}

}  // namespace ember::testkit
