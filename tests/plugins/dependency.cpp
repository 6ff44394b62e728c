extern "C" __attribute__((visibility("default"))) int ember_test_dependency_value() { return 7; }
