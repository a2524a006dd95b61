# -*- Python -*-
# Runs every GoogleTest binary named *-unit-tests in the build's test/Unit.

import os

import lit.formats

config.name = "alexnet-unit"
config.suffixes = []
config.test_exec_root = os.path.join(config.alexnet_obj_root, "test", "Unit")
config.test_source_root = config.test_exec_root
config.test_format = lit.formats.GoogleTest(".", "-unit-tests")
