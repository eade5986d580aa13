# lit configuration of optc's FileCheck tests. Run through the configured
# build/test/lit.site.cfg.py, never directly.
import os

import lit.formats

config.name = "optc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".test", ".onnxtxt"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "Inputs", "unit", "python", "e2e",
                   # inputs scripts/fuzz.py replays, not lit tests
                   "fuzz"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.optc_obj_root, "test")

# optc's tools first, then FileCheck, not and split-file from LLVM 22, which
# are not on PATH.
config.environment["PATH"] = os.pathsep.join(
    [config.optc_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", os.environ["PATH"])]
)
config.substitutions.append(("%optc_src", config.optc_src_root))
config.substitutions.append(("%optc_build", config.optc_obj_root))
# ONNX models written in the onnx text syntax inside the tests.
config.substitutions.append(
    ("%onnx-text", f"{config.python} {os.path.join(config.optc_src_root, 'test', 'onnx', 'onnx_text.py')}")
)
