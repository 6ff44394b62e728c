#pragma once
// nn and optim (api.md "nn", "optim").
#include "ember/nn/activation.h"
#include "ember/nn/functional.h"
#include "ember/nn/init.h"
#include "ember/nn/loss.h"
#include "ember/nn/module.h"
#include "ember/nn/modules.h"
#include "ember/optim/adagrad.h"
#include "ember/optim/adam.h"
#include "ember/optim/adamw.h"
#include "ember/optim/optimizer.h"
#include "ember/optim/rmsprop.h"
#include "ember/optim/schedulers.h"
