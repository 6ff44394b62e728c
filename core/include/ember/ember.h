#pragma once
// Everything of Ember's public API.
#include "ember/device.h"
#include "ember/dlpack.h"
#include "ember/dtype.h"
#include "ember/error.h"
#include "ember/factories.h"
#include "ember/functions.h"
#include "ember/indexing.h"
#include "ember/int_array_ref.h"
#include "ember/runtime.h"
#include "ember/scalar.h"
#include "ember/tensor.h"
#include "ember/tensor_options.h"
