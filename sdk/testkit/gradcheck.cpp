// gradcheck / gradgradcheck (see the header). The numerical Jacobian perturbs
// each input element in place through a detached alias of the input (so a
// leaf that requires grad can be written), by -eps then +eps, evaluating fn
// without grad mode; the analytical one runs autograd::grad once per output
// element with a one-hot gradient, twice, to catch a non-reentrant backward.
#include "ember/testkit/gradcheck.h"

#include <cmath>
#include <cstdint>
#include <exception>
#include <ostream>
#include <random>
#include <sstream>

namespace ember::testkit {

std::ostream& operator<<(std::ostream& out, const GradcheckResult& r) {
  return out << (r.ok ? "gradcheck passed" : r.message);
}

namespace {

using variable_list = std::vector<Tensor>;

std::vector<int64_t> unravel(IntArrayRef sizes, int64_t flat) {
  std::vector<int64_t> index(sizes.size());
  for (size_t d = sizes.size(); d-- > 0;) {
    index[d] = flat % sizes[d];
    flat /= sizes[d];
  }
  return index;
}

std::string index_str(IntArrayRef sizes, int64_t flat) {
  std::ostringstream s;
  s << '[';
  const auto index = unravel(sizes, flat);
  for (size_t i = 0; i < index.size(); ++i) s << (i ? ", " : "") << index[i];
  s << ']';
  return s.str();
}

std::string shape_str(IntArrayRef sizes) {
  std::ostringstream s;
  s << sizes;
  return s.str();
}

// A 0-d view of element `flat` (row-major) of `t`.
Tensor element(const Tensor& t, int64_t flat) {
  Tensor e = t;
  for (int64_t i : unravel(t.sizes(), flat)) e = e.select(0, i);
  return e;
}

std::vector<double> host_values(const Tensor& t) {
  NoGradGuard no_grad;
  return t.to_vector<double>();
}

GradcheckResult fail(std::string message) { return {false, std::move(message)}; }

// The outputs gradcheck looks at: the defined floating-point ones.
std::vector<size_t> checked_outputs(const variable_list& outs) {
  std::vector<size_t> out;
  for (size_t k = 0; k < outs.size(); ++k)
    if (outs[k].defined() && outs[k].is_floating_point()) out.push_back(k);
  return out;
}

struct OutputShape {
  std::vector<int64_t> sizes;
  int64_t numel;
};

// J[i][k]: d output k / d input i, stored [input element][output element].
using Jacobians = std::vector<std::vector<std::vector<double>>>;

GradcheckResult check(const GradcheckFn& fn, const variable_list& inputs, double eps, double atol, double rtol) {
  std::vector<size_t> diff;  // the inputs that require grad
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined() || !inputs[i].requires_grad()) continue;
    if (inputs[i].dtype() != kFloat64) {
      std::ostringstream s;
      s << "gradcheck: input " << i << " is " << dtype_name(inputs[i].dtype())
        << "; finite differences need float64 inputs (create them with .dtype(ember::kFloat64))";
      return fail(s.str());
    }
    diff.push_back(i);
  }
  if (diff.empty()) return fail("gradcheck: no input requires grad; set requires_grad on at least one input");

  // The outputs' shapes, from a first evaluation.
  std::vector<OutputShape> shapes;
  std::vector<size_t> checked;
  {
    NoGradGuard no_grad;
    const variable_list outs = fn(inputs);
    checked = checked_outputs(outs);
    for (size_t k : checked) shapes.push_back({outs[k].sizes().vec(), outs[k].numel()});
  }
  if (checked.empty()) return fail("gradcheck: fn returned no floating-point output");
  auto evaluate = [&](std::vector<std::vector<double>>& values) -> std::string {
    NoGradGuard no_grad;
    const variable_list outs = fn(inputs);
    if (checked_outputs(outs) != checked) return "fn returned different outputs for perturbed inputs";
    values.clear();
    for (size_t c = 0; c < checked.size(); ++c) {
      const Tensor& o = outs[checked[c]];
      if (!o.sizes().equals(shapes[c].sizes))
        return "output " + std::to_string(checked[c]) + " changed shape for perturbed inputs";
      values.push_back(host_values(o));
    }
    return "";
  };

  // Numerical: central differences.
  Jacobians numerical(inputs.size()), analytical(inputs.size());
  for (size_t i : diff) {
    numerical[i].resize(checked.size());
    analytical[i].resize(checked.size());
    for (size_t c = 0; c < checked.size(); ++c) {
      numerical[i][c].assign(size_t(inputs[i].numel() * shapes[c].numel), 0.0);
      analytical[i][c].assign(numerical[i][c].size(), 0.0);
    }
  }
  for (size_t i : diff) {
    NoGradGuard no_grad;
    const Tensor data = inputs[i].detach();
    for (int64_t j = 0; j < data.numel(); ++j) {
      Tensor e = element(data, j);
      const double original = e.item<double>();
      std::vector<std::vector<double>> minus, plus;
      e.fill_(original - eps);
      std::string error = evaluate(minus);
      e.fill_(original + eps);
      if (error.empty()) error = evaluate(plus);
      e.fill_(original);
      if (!error.empty()) return fail("gradcheck: " + error);
      for (size_t c = 0; c < checked.size(); ++c)
        for (int64_t m = 0; m < shapes[c].numel; ++m)
          numerical[i][c][size_t(j * shapes[c].numel + m)] = (plus[c][size_t(m)] - minus[c][size_t(m)]) / (2 * eps);
    }
  }

  // Analytical: one backward per output element, twice.
  {
    AutoGradMode grad_on(true);
    const variable_list outs = fn(inputs);
    if (checked_outputs(outs) != checked) return fail("gradcheck: fn returned different outputs with grad mode on");
    variable_list wrt;
    for (size_t i : diff) wrt.push_back(inputs[i]);
    for (size_t c = 0; c < checked.size(); ++c) {
      const Tensor& out = outs[checked[c]];
      if (!out.requires_grad()) continue;  // no dependence: a zero Jacobian
      for (int64_t m = 0; m < shapes[c].numel; ++m) {
        Tensor one_hot = zeros(out.sizes(), TensorOptions().dtype(out.dtype()).device(out.device()));
        {
          NoGradGuard no_grad;
          element(one_hot, m).fill_(1);
        }
        const variable_list first = autograd::grad({out}, wrt, {one_hot}, true, false, true);
        const variable_list second = autograd::grad({out}, wrt, {one_hot}, true, false, true);
        for (size_t w = 0; w < wrt.size(); ++w) {
          const size_t i = diff[w];
          const Tensor& g = first[w];
          if (!g.defined()) continue;  // unused: zero
          if (!g.sizes().equals(inputs[i].sizes()))
            return fail("gradcheck: the gradient of input " + std::to_string(i) + " has shape " +
                        shape_str(g.sizes()) + ", but the input has shape " + shape_str(inputs[i].sizes()));
          if (g.dtype() != inputs[i].dtype())
            return fail(std::string("gradcheck: the gradient of input ") + std::to_string(i) + " is " +
                        std::string(dtype_name(g.dtype())) + ", but the input is " +
                        std::string(dtype_name(inputs[i].dtype())));
          const std::vector<double> values = host_values(g);
          const std::vector<double> again = second[w].defined() ? host_values(second[w]) : std::vector<double>();
          if (again != values)
            return fail("gradcheck: backward is not reentrant: running it twice with the same inputs and output "
                        "gradient gives different values for input " + std::to_string(i) + " (output " +
                        std::to_string(checked[c]) + ", element " + index_str(out.sizes(), m) + ")");
          for (size_t j = 0; j < values.size(); ++j)
            analytical[i][c][j * size_t(shapes[c].numel) + size_t(m)] = values[j];
        }
      }
    }
  }

  // Compare.
  for (size_t i : diff) {
    for (size_t c = 0; c < checked.size(); ++c) {
      const auto& num = numerical[i][c];
      const auto& ana = analytical[i][c];
      size_t bad = 0, first_bad = 0;
      for (size_t e = 0; e < num.size(); ++e) {
        const double n = num[e], a = ana[e];
        const bool close = std::fabs(a - n) <= atol + rtol * std::fabs(n);  // false for nan
        if (!close && bad++ == 0) first_bad = e;
      }
      if (bad == 0) continue;
      const int64_t out_numel = shapes[c].numel;
      const int64_t j = int64_t(first_bad) / out_numel, m = int64_t(first_bad) % out_numel;
      std::ostringstream s;
      s.precision(10);
      s << "gradcheck: Jacobian mismatch for output " << checked[c] << " with respect to input " << i
        << ": d output" << index_str(shapes[c].sizes, m) << " / d input" << index_str(inputs[i].sizes(), j)
        << " is numerical " << num[first_bad] << ", analytical " << ana[first_bad] << " (atol " << atol
        << ", rtol " << rtol << "); " << bad << " of " << num.size() << " entries differ";
      return fail(s.str());
    }
  }
  return {};
}

}  // namespace

GradcheckResult gradcheck(const GradcheckFn& fn, const std::vector<Tensor>& inputs, double eps, double atol,
                          double rtol) {
  try {
    return check(fn, inputs, eps, atol, rtol);
  } catch (const std::exception& e) {
    return fail(std::string("gradcheck: an exception was thrown: ") + e.what());
  }
}

GradcheckResult gradgradcheck(const GradcheckFn& fn, const std::vector<Tensor>& inputs,
                              const std::vector<Tensor>& grad_outputs, double eps, double atol, double rtol) {
  try {
    std::vector<Tensor> gos = grad_outputs;
    if (gos.empty()) {
      // Fixed pseudo-random gradients in [-1, 1), one per differentiable output.
      AutoGradMode grad_on(true);
      std::mt19937_64 engine(0x9e3779b97f4a7c15ull);
      std::uniform_real_distribution<double> uniform(-1.0, 1.0);
      for (const Tensor& out : fn(inputs)) {
        if (!out.defined() || !out.is_floating_point() || !out.requires_grad()) continue;
        std::vector<double> values(size_t(out.numel()));
        for (double& v : values) v = uniform(engine);
        gos.push_back(tensor(values, TensorOptions().dtype(kFloat64))
                          .reshape(out.sizes())
                          .to(out.device())
                          .requires_grad_());
      }
    }
    const size_t n_inputs = inputs.size();
    GradcheckFn first_order = [fn, n_inputs](const std::vector<Tensor>& args) {
      AutoGradMode grad_on(true);
      const std::vector<Tensor> in(args.begin(), args.begin() + std::ptrdiff_t(n_inputs));
      const std::vector<Tensor> go(args.begin() + std::ptrdiff_t(n_inputs), args.end());
      std::vector<Tensor> outs;
      for (const Tensor& o : fn(in))
        if (o.defined() && o.is_floating_point() && o.requires_grad()) outs.push_back(o);
      EMBER_CHECK(outs.size() == go.size(), "gradgradcheck: fn has ", outs.size(), " differentiable outputs but ",
                  go.size(), " grad_outputs were given");
      std::vector<Tensor> wrt;
      for (const Tensor& t : in)
        if (t.defined() && t.requires_grad()) wrt.push_back(t);
      std::vector<Tensor> grads = autograd::grad(outs, wrt, go, true, true, true);
      std::vector<Tensor> defined;
      for (Tensor& g : grads)
        if (g.defined()) defined.push_back(std::move(g));
      return defined;
    };
    std::vector<Tensor> all = inputs;
    all.insert(all.end(), gos.begin(), gos.end());
    GradcheckResult r = check(first_order, all, eps, atol, rtol);
    if (!r.ok) {
      std::ostringstream s;
      s << "gradgradcheck (inputs 0.." << n_inputs - 1 << " are fn's inputs, " << n_inputs
        << ".. its output gradients; the outputs are the first-order gradients): " << r.message;
      r.message = s.str();
    }
    return r;
  } catch (const std::exception& e) {
    return fail(std::string("gradgradcheck: an exception was thrown: ") + e.what());
  }
}

}  // namespace ember::testkit
