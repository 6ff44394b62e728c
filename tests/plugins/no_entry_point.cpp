// A shared library named like a plugin that exports no entry point.
extern "C" __attribute__((visibility("default"))) int ember_not_the_entry_point() { return 42; }
