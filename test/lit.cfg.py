# -*- Python -*-
# lit configuration for the alexnet-compile regression tests.

import os
import shutil
import subprocess

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "alexnet"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
# .nn files are DSL tests: their RUN and CHECK lines live in '#' comments.
config.suffixes = [".mlir", ".nn", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.alexnet_obj_root, "test")
config.excludes = ["Inputs", "CMakeLists.txt", "README.txt", "lit.cfg.py",
                   "lit.site.cfg.py", "Unit"]

llvm_config.use_default_substitutions()
config.substitutions.append(("%models", os.path.join(config.alexnet_src_root, "models")))
config.substitutions.append(("%python", config.python_executable))

llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.alexnet_tools_dir, append_path=True)

tools = ["alexnet-opt", "alexnet-compile", "alexnet-translate"]
llvm_config.add_tool_substitutions(tools, [config.alexnet_tools_dir])


def has_cuda_gpu():
    """True only when a CUDA device is really usable; GPU tests REQUIRE it."""
    smi = shutil.which("nvidia-smi")
    if not smi:
        return False
    try:
        out = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0 and "GPU" in out.stdout


# nvcc and cuBLAS were found at configure time: CUDA executables build.
if config.alexnet_cuda:
    config.available_features.add("cuda-toolkit")
else:
    lit_config.note("no CUDA toolkit: tests that REQUIRE cuda-toolkit are skipped")

if has_cuda_gpu():
    config.available_features.add("cuda-gpu")
else:
    lit_config.note("no CUDA GPU found: tests that REQUIRE cuda-gpu are skipped")

config.substitutions.append(("%alexnet_src", config.alexnet_src_root))
config.substitutions.append(("%alexnet_obj", config.alexnet_obj_root))

# The numerical oracle: Debian's PyTorch, for /usr/bin/python3 only (the
# python3 on PATH may be another interpreter without it).
config.substitutions.append(("%torch_python", "/usr/bin/python3"))
try:
    has_torch = subprocess.run(["/usr/bin/python3", "-c", "import torch, numpy"],
                               capture_output=True, timeout=120).returncode == 0
except (OSError, subprocess.SubprocessError):
    has_torch = False
if has_torch:
    config.available_features.add("torch")
else:
    lit_config.note("/usr/bin/python3 has no torch: oracle tests are skipped")

# The random-model differential run (test/oracle/fuzz_models.py): seconds
# in which it starts models (each takes ~30-90 s on two cores).
config.substitutions.append(("%model_fuzz_seconds",
                             os.environ.get("MODEL_FUZZ_SECONDS", "100")))

# The parser fuzz run (scripts/fuzz-parser.sh) needs clang-14 with libFuzzer.
config.substitutions.append(("%fuzz_seconds", os.environ.get("FUZZ_SECONDS", "60")))
if shutil.which("clang++-14"):
    config.available_features.add("libfuzzer")

# Memory checks of the compiler itself (reads of freed memory that crash
# only when the heap happens to be laid out badly).
if shutil.which("valgrind"):
    config.available_features.add("valgrind")
else:
    lit_config.note("no valgrind: the compiler's memory checks are skipped")

# Fashion-MNIST from Debian's dataset-fashion-mnist (scripts/setup.sh).
config.fashion_mnist = os.environ.get("FASHION_MNIST_DIR",
                                      "/usr/share/datasets/fashion-mnist")
config.substitutions.append(("%fashion_mnist", config.fashion_mnist))
if os.path.exists(os.path.join(config.fashion_mnist,
                               "train-images-idx3-ubyte.gz")):
    config.available_features.add("fashion-mnist")
else:
    lit_config.note("no Fashion-MNIST in %s: tests that train on it are "
                    "skipped" % config.fashion_mnist)

# The CUDA simulator built with ThreadSanitizer (the planted-race test).
if config.alexnet_tsan:
    config.available_features.add("tsan")
    config.substitutions.append(
        ("%cuda_sim_planted_race",
         os.path.join(config.alexnet_obj_root, "test", "Runtime",
                      "cuda-sim-planted-race")))
else:
    lit_config.note("no ThreadSanitizer: the planted-race test is skipped")
