#pragma once
// nn and optim (api.md "nn", "optim").
#include "ember/nn/functional.h"
#include "ember/nn/init.h"
#include "ember/nn/module.h"
#include "ember/nn/modules.h"
#include "ember/optim/optimizer.h"
