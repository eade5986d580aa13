"""Compiled models: loading a library optc wrote and running it on NumPy
arrays, through the C API every compiled library exports (runtime.h).

ctypes calls release the GIL, so several threads may run one model at
once (the runtime gives concurrent runs arenas of their own)."""
import collections
import ctypes
import os
import shutil

import numpy as np

try:  # bfloat16 and the 8-bit and narrower types, when ml_dtypes is installed
    import ml_dtypes as _ml_dtypes
except ImportError:  # pragma: no cover
    _ml_dtypes = None

TensorSpec = collections.namedtuple("TensorSpec", "name dtype shape")
TensorSpec.__doc__ = "An input or output of a compiled model: name, NumPy dtype, shape."

# optc_dtype values (runtime.h) and NumPy dtypes.
_DTYPES = {1: np.float32, 2: np.uint8, 3: np.int8, 4: np.uint16, 5: np.int16,
           6: np.int32, 7: np.int64, 9: np.bool_, 10: np.float16, 11: np.float64,
           12: np.uint32, 13: np.uint64}
if _ml_dtypes is not None:
    # One element per byte, as ml_dtypes stores them (runtime.h).
    _DTYPES.update({16: _ml_dtypes.bfloat16, 17: _ml_dtypes.float8_e4m3fn,
                    18: _ml_dtypes.float8_e4m3fnuz, 19: _ml_dtypes.float8_e5m2,
                    20: _ml_dtypes.float8_e5m2fnuz, 21: _ml_dtypes.uint4, 22: _ml_dtypes.int4,
                    23: _ml_dtypes.float4_e2m1fn, 24: _ml_dtypes.float8_e8m0fnu,
                    25: _ml_dtypes.uint2, 26: _ml_dtypes.int2})
_CODES = {np.dtype(v): k for k, v in _DTYPES.items()}


class _Tensor(ctypes.Structure):
    _fields_ = [("dtype", ctypes.c_int), ("rank", ctypes.c_int32),
                ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("strides", ctypes.POINTER(ctypes.c_int64)),
                ("data", ctypes.c_void_p)]


class _Info(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int),
                ("rank", ctypes.c_int32), ("shape", ctypes.POINTER(ctypes.c_int64))]


class RunError(RuntimeError):
    """A run the runtime refused (wrong inputs) or that failed."""


class CompiledModel:
    """A model compiled by optc: call it with NumPy arrays (positionally, in
    the order of `.inputs`, or by input name); it returns one array, or a
    tuple of arrays for a model with several outputs."""

    def __init__(self, library, weights=None, _owned_dir=None):
        self._library = os.path.abspath(os.fspath(library))
        self._owned_dir = _owned_dir
        # A truncated file would raise SIGBUS inside dlopen: check it first.
        from optc import _optc
        problem = _optc.check_library_file(self._library)
        if problem:
            raise RunError(problem)
        try:
            lib = ctypes.CDLL(self._library)
            lib.optc_model_open.restype = ctypes.c_void_p
        except (OSError, AttributeError) as error:
            raise RunError(f"{self._library}: not a library compiled by optc ({error})") from None
        lib.optc_model_open.argtypes = [ctypes.c_char_p, ctypes.c_char_p,
                                        ctypes.POINTER(ctypes.c_void_p)]
        lib.optc_model_run.restype = ctypes.c_void_p
        lib.optc_model_run.argtypes = [ctypes.c_void_p, ctypes.POINTER(_Tensor), ctypes.c_size_t,
                                       ctypes.POINTER(_Tensor), ctypes.c_size_t]
        lib.optc_status_get_message.restype = ctypes.c_char_p
        lib.optc_status_get_message.argtypes = [ctypes.c_void_p]
        lib.optc_status_free.argtypes = [ctypes.c_void_p]
        lib.optc_model_free.argtypes = [ctypes.c_void_p]
        for what in ("inputs", "outputs"):
            getattr(lib, f"optc_model_num_{what}").argtypes = [ctypes.c_void_p]
            getattr(lib, f"optc_model_num_{what}").restype = ctypes.c_size_t
            info = getattr(lib, f"optc_model_{what[:-1]}_info")
            info.restype = ctypes.c_void_p
            info.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(_Info)]
        self._lib = lib
        handle = ctypes.c_void_p()
        self._check(lib.optc_model_open(self._library.encode(),
                                        os.fspath(weights).encode() if weights else None,
                                        ctypes.byref(handle)))
        self._handle = handle
        self.inputs = self._specs("input")
        self.outputs = self._specs("output")

    def _check(self, status):
        if status:
            message = self._lib.optc_status_get_message(status).decode()
            self._lib.optc_status_free(status)
            raise RunError(message)

    def _specs(self, what):
        count = getattr(self._lib, f"optc_model_num_{what}s")(self._handle)
        specs = []
        for i in range(count):
            info = _Info()
            self._check(getattr(self._lib, f"optc_model_{what}_info")(
                self._handle, i, ctypes.byref(info)))
            dtype = _DTYPES.get(info.dtype)
            specs.append(TensorSpec(info.name.decode(), np.dtype(dtype) if dtype else None,
                                    tuple(info.shape[d] for d in range(info.rank))))
        return specs

    def __call__(self, *args, **kwargs):
        if len(args) > len(self.inputs):
            raise TypeError(f"the model takes {len(self.inputs)} inputs, not {len(args)}")
        values = list(args) + [None] * (len(self.inputs) - len(args))
        names = [spec.name for spec in self.inputs]
        for name, value in kwargs.items():
            if name not in names:
                raise TypeError(f"the model has no input '{name}'; its inputs are: "
                                + ", ".join(names))
            index = names.index(name)
            if values[index] is not None:
                raise TypeError(f"input '{name}' given twice")
            values[index] = value
        missing = [n for n, v in zip(names, values) if v is None]
        if missing:
            raise TypeError("missing inputs: " + ", ".join(missing))
        keep, inputs = [], []
        for spec, value in zip(self.inputs, values):
            # Not np.ascontiguousarray: it makes a 0-d array 1-d.
            array = np.asarray(value, order="C")
            code = _CODES.get(array.dtype)
            if code is None:
                raise TypeError(f"input '{spec.name}': dtype {array.dtype} is not one "
                                "optc models take")
            shape = (ctypes.c_int64 * max(array.ndim, 1))(*array.shape)
            keep += [array, shape]
            inputs.append(_Tensor(code, array.ndim, shape, None, array.ctypes.data))
        outputs, results = [], []
        for spec in self.outputs:
            result = np.empty(spec.shape, spec.dtype)
            shape = (ctypes.c_int64 * max(result.ndim, 1))(*result.shape)
            keep.append(shape)
            results.append(result)
            outputs.append(_Tensor(_CODES[result.dtype], result.ndim, shape, None,
                                   result.ctypes.data))
        self._check(self._lib.optc_model_run(
            self._handle, (_Tensor * len(inputs))(*inputs), len(inputs),
            (_Tensor * len(outputs))(*outputs), len(outputs)))
        return results[0] if len(results) == 1 else tuple(results)

    def save(self, directory):
        """Writes the library, its header and (if any) its side file of
        weights into `directory`; returns the library's path there."""
        os.makedirs(directory, exist_ok=True)
        stem = os.path.splitext(self._library)[0]
        for path in (self._library, stem + ".h", stem + ".weights"):
            if os.path.exists(path):
                shutil.copy2(path, directory)
        return os.path.join(directory, os.path.basename(self._library))

    @property
    def library(self):
        """The path of the compiled library."""
        return self._library

    def __del__(self):
        handle = getattr(self, "_handle", None)
        if handle is not None and handle.value:
            self._lib.optc_model_free(handle)
            self._handle = None
        if getattr(self, "_owned_dir", None):
            shutil.rmtree(self._owned_dir, ignore_errors=True)

    def __repr__(self):
        sig = ", ".join(f"{s.name}: {s.dtype}{list(s.shape)}" for s in self.inputs)
        out = ", ".join(f"{s.name}: {s.dtype}{list(s.shape)}" for s in self.outputs)
        return f"<optc.CompiledModel ({sig}) -> ({out})>"
