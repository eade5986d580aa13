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
import tempfile

from ._optc import CompileError, Module, stages
from . import _optc
from .runtime import CompiledModel, RunError, TensorSpec
from .quantization import OutputError, QuantizationReport, quantization_report

__all__ = ["CompileError", "CompiledModel", "Module", "OutputError",
           "QuantizationReport", "RunError", "TensorSpec", "compile", "import_onnx",
           "load", "parse", "quantization_report", "stages"]

# The runtime every compiled library links, shipped in the package.
_RUNTIME_ARCHIVE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "liboptc_runtime.a")

# compile()'s options and the flags of `optc` they stand for.
_OPTIONS = {"target_cpu": "--target-cpu", "target_triple": "--target-triple",
            "name": "--name", "weights": "--weights", "weights_limit": "--weights-limit",
            "input_shapes": "--input-shape", "input_values": "--input-value",
            "fast_math": "--fast-math", "quantize": "--quantize",
            "time_passes": "--time-passes",
            "initializer_inputs": "--initializer-input"}


def compile(model, target="cpu", opt_level=2, **options):
    """Compiles a model (a path, bytes or an onnx.ModelProto) and loads it.

    Options map one to one onto `optc`'s flags: target (--target),
    opt_level (-O), target_cpu (--target-cpu), target_triple
    (--target-triple), name (--name), weights (--weights: "auto", "embed"
    or "file"), weights_limit (--weights-limit), input_shapes
    (--input-shape, a dict of input name to dimensions), input_values
    (--input-value, a dict of input name to a NumPy array: the input
    becomes a constant and leaves the model's inputs; for inputs that
    decide shapes), initializer_inputs (--initializer-input, a list of
    names, or ["*"] for all: initializers the model also lists as graph
    inputs become inputs the caller gives, their stored values ignored;
    by default they stay constants), fast_math (--fast-math: cheaper math
    functions, accurate only near the origin), quantize (--quantize: a
    weight quantization scheme such as "int4-g32" or "mxfp4"), time_passes
    (--time-passes:
    the time of every stage and pass, printed to stderr). Returns a
    CompiledModel; compiler errors raise CompileError."""
    unknown = sorted(set(options) - set(_OPTIONS))
    if unknown:
        raise TypeError("unknown compile options: " + ", ".join(unknown)
                        + "; the options are: target, opt_level, " + ", ".join(_OPTIONS))
    if not isinstance(opt_level, int) or isinstance(opt_level, bool):
        raise TypeError(f"opt_level must be an int, not {type(opt_level).__name__}")
    shapes = {str(k): [int(d) for d in v]
              for k, v in (options.get("input_shapes") or {}).items()}
    initializer_inputs = options.get("initializer_inputs") or []
    if isinstance(initializer_inputs, str):
        raise TypeError("initializer_inputs takes a list of names (or [\"*\"]), "
                        "not a string")
    initializer_inputs = [str(n) for n in initializer_inputs]
    work = tempfile.mkdtemp(prefix="optc-")
    try:
        if isinstance(model, (str, os.PathLike)):
            source = os.fspath(model)
            if not os.path.exists(source):
                raise CompileError(f"{source}: no such file")
        else:
            source = os.path.join(work, "input.onnx")
            if hasattr(model, "SerializeToString"):
                model = model.SerializeToString()
            if not isinstance(model, (bytes, bytearray, memoryview)):
                raise TypeError("compile takes a path, bytes or an onnx.ModelProto, not "
                                + type(model).__name__)
            with open(source, "wb") as f:
                f.write(bytes(model))
        values = []
        for key, value in (options.get("input_values") or {}).items():
            import numpy as np
            path = os.path.join(work, f"input-value-{len(values)}.npy")
            np.save(path, np.asarray(value), allow_pickle=False)
            values.append(f"{key}={path}")
        name = options.get("name") or "model"
        library = os.path.join(work, f"{name}.so")
        _optc.compile_file(source, library, str(target), opt_level,
                           str(options.get("target_cpu") or ""),
                           str(options.get("target_triple") or ""), str(name),
                           str(options.get("weights") or "auto"),
                           int(options.get("weights_limit", 64 << 20)),
                           bool(options.get("fast_math", False)),
                           str(options.get("quantize") or ""),
                           bool(options.get("time_passes", False)), shapes,
                           values, initializer_inputs, _RUNTIME_ARCHIVE)
        return CompiledModel(library, _owned_dir=work)
    except BaseException:
        import shutil
        shutil.rmtree(work, ignore_errors=True)
        raise


def load(path, weights=None):
    """Loads a library compiled by optc (or saved by CompiledModel.save);
    `weights` is its side file of weights when not beside it."""
    return CompiledModel(path, weights)


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
