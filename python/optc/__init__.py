"""optc: an ahead-of-time compiler for neural networks.

The lowering API (this package so far):

    import optc
    module = optc.import_onnx("model.onnx", input_shapes={"x": [1, 3, 224, 224]})
    module.lower(until="linalg")      # the stages of `optc --emit-after`
    print(module)                     # MLIR text
    module.run_passes("builtin.module(canonicalize)")

Compiler errors raise optc.CompileError with the diagnostics and their
locations. The compiler releases the GIL while it works; each module has
its own MLIR context, so different modules may be used from different
threads at once.
"""
import os

from ._optc import CompileError, Module, stages
from . import _optc

__all__ = ["CompileError", "Module", "import_onnx", "parse", "stages"]


def import_onnx(model, input_shapes=None):
    """Imports an ONNX model: a path, the serialized bytes, or an
    onnx.ModelProto. `input_shapes` maps input names to dimensions (a list
    of ints, -1 keeping the model's), like `optc --input-shape`. Returns a
    Module at the "import" stage."""
    shapes = {str(k): [int(d) for d in v] for k, v in (input_shapes or {}).items()}
    if isinstance(model, (str, os.PathLike)):
        path = os.fspath(model)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as error:
            raise CompileError(f"{path}: cannot read the model: {error.strerror}") from None
        return _optc.import_onnx(data, path, os.path.dirname(os.path.abspath(path)), shapes)
    if isinstance(model, (bytes, bytearray, memoryview)):
        return _optc.import_onnx(bytes(model), "<bytes>", os.getcwd(), shapes)
    if hasattr(model, "SerializeToString"):
        return _optc.import_onnx(model.SerializeToString(), "<ModelProto>", os.getcwd(), shapes)
    raise TypeError("import_onnx takes a path, bytes or an onnx.ModelProto, not "
                    + type(model).__name__)


def parse(text):
    """Parses optc IR (MLIR text) into a Module at the "import" stage."""
    return _optc.parse(str(text))
