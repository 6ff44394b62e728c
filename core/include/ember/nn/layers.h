#pragma once
// The normalization layers and Embedding.
#include "ember/nn/embedding.h"
#include "ember/nn/normalization.h"
