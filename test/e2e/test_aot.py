"""The ahead-of-time use case and the run-time checks: a C program links a
compiled model.so through its model.h; `optc run` reports bad inputs and
libraries built for CPUs this machine is not."""
import os
import shutil
import subprocess

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

from harness import make_model, random, reference

F32 = TensorProto.FLOAT

C_PROGRAM = r"""
#include "net.h"
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  (void)argc;
  optc_model *model = NULL;
  optc_status *status = net_load(NULL, &model);
  if (status) {
    fprintf(stderr, "load: %s\n", optc_status_get_message(status));
    return 1;
  }
  static float x[NET_INPUT_0_NUM_ELEMENTS], y[NET_OUTPUT_0_NUM_ELEMENTS];
  FILE *in = fopen(argv[1], "rb");
  if (!in || fread(x, sizeof(float), NET_INPUT_0_NUM_ELEMENTS, in) !=
                 NET_INPUT_0_NUM_ELEMENTS)
    return 2;
  fclose(in);
  optc_tensor input = {NET_INPUT_0_DTYPE, NET_INPUT_0_RANK, net_input_0_shape,
                       NULL, x};
  optc_tensor output = {NET_OUTPUT_0_DTYPE, NET_OUTPUT_0_RANK,
                        net_output_0_shape, NULL, y};
  status = optc_model_run(model, &input, 1, &output, 1);
  if (status) {
    fprintf(stderr, "run: %s\n", optc_status_get_message(status));
    return 3;
  }
  /* A wrong shape is an error that leaves the output alone. */
  int64_t wrong[2] = {1, 1};
  float before = y[0];
  input.shape = wrong;
  status = optc_model_run(model, &input, 1, &output, 1);
  if (!status || optc_status_get_code(status) != OPTC_INVALID_ARGUMENT ||
      y[0] != before)
    return 4;
  printf("%s\n", optc_status_get_message(status));
  optc_status_free(status);
  FILE *out = fopen(argv[2], "wb");
  fwrite(y, sizeof(float), NET_OUTPUT_0_NUM_ELEMENTS, out);
  fclose(out);
  optc_model_free(model);
  return 0;
}
"""


def mlp():
    rng = np.random.default_rng(3)
    w = numpy_helper.from_array(rng.standard_normal((16, 8)).astype(np.float32), "w")
    return make_model([helper.make_node("MatMul", ["x", "w"], ["h"]),
                       helper.make_node("Tanh", ["h"], ["y"])],
                      [("x", F32, [4, 16])], [("y", F32, [4, 8])], [w])


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
def test_c_program_links_model(optc, tmp_path):
    import onnx
    model = mlp()
    onnx.save(model, tmp_path / "net.onnx")
    subprocess.run([str(optc), str(tmp_path / "net.onnx"), "-o",
                    str(tmp_path / "net.so")], check=True)
    (tmp_path / "main.c").write_text(C_PROGRAM)
    # The header alone suffices: no include path to optc.
    # A program that includes the header and uses none of its constants
    # compiles warning-free too.
    (tmp_path / "unused.c").write_text('#include "net.h"\nint main(void) { return 0; }\n')
    # The C compiler without the ASan runtime scripts/sanitize.sh preloads
    # into Python: the linker's plugin leaks, and it is not optc's.
    cc_env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    subprocess.run(["cc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-c", "-o",
                    str(tmp_path / "unused.o"), str(tmp_path / "unused.c")],
                   check=True, cwd=tmp_path, env=cc_env)
    subprocess.run(["cc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-o",
                    str(tmp_path / "main"), str(tmp_path / "main.c"),
                    str(tmp_path / "net.so"), "-Wl,-rpath," + str(tmp_path)],
                   check=True, cwd=tmp_path, env=cc_env)
    x = random((4, 16), np.float32, 5)
    x.tofile(tmp_path / "x.bin")
    result = subprocess.run([str(tmp_path / "main"), str(tmp_path / "x.bin"),
                             str(tmp_path / "y.bin")], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    assert "has shape [1,1]; the model expects [4,16]" in result.stdout
    y = np.fromfile(tmp_path / "y.bin", dtype=np.float32).reshape(4, 8)
    np.testing.assert_allclose(y, reference(model, {"x": x})[0], rtol=1e-5,
                               atol=1e-6)


def compile_mlp(optc, tmp_path, *flags):
    import onnx
    onnx.save(mlp(), tmp_path / "net.onnx")
    subprocess.run([str(optc), str(tmp_path / "net.onnx"), "-o",
                    str(tmp_path / "net.so"), *flags], check=True)
    return tmp_path / "net.so"


def optc_run(optc, library, *args):
    return subprocess.run([str(optc), "run", str(library), *args],
                          capture_output=True, text=True)


def test_run_reports_bad_inputs(optc, tmp_path):
    library = compile_mlp(optc, tmp_path)
    np.save(tmp_path / "good.npy", random((4, 16), np.float32, 1))
    np.save(tmp_path / "f64.npy", random((4, 16), np.float64, 1))
    np.save(tmp_path / "shape.npy", random((4, 15), np.float32, 1))
    good = f"x={tmp_path / 'good.npy'}"
    cases = {
        (f"x={tmp_path / 'f64.npy'}",): "input 0 ('x') has dtype f64; the model expects f32",
        (f"x={tmp_path / 'shape.npy'}",): "input 0 ('x') has shape [4,15]; the model expects [4,16]",
        (): "input 'x' is not given",
        (good, good): "input 'x' is given twice",
        (str(tmp_path / "good.npy"), str(tmp_path / "good.npy")):
            "one more input than the model's 1",
        (f"z={tmp_path / 'good.npy'}",): "--input names 'z', which is not an input of the model (inputs: x)",
        (f"x={tmp_path / 'missing.npy'}",): "cannot read",
    }
    for inputs, message in cases.items():
        args = []
        for spec in inputs:
            args += ["--input", spec]
        result = optc_run(optc, library, *args, "--output-dir",
                          str(tmp_path / "out"))
        assert result.returncode == 1, inputs
        assert message in result.stderr, (inputs, result.stderr)
        assert not (tmp_path / "out").exists()
    assert optc_run(optc, library, "--input", good).returncode == 0


def test_run_refuses_missing_cpu_features(optc, tmp_path):
    flags = open("/proc/cpuinfo").read()
    if " amx_tile" in flags:
        pytest.skip("this machine has AMX")
    library = compile_mlp(optc, tmp_path, "--target-cpu=sapphirerapids")
    np.save(tmp_path / "x.npy", random((4, 16), np.float32, 1))
    result = optc_run(optc, library, "--input", f"x={tmp_path / 'x.npy'}")
    assert result.returncode == 1
    assert "this CPU lacks features the model was compiled for" in result.stderr
    assert "amx-tile" in result.stderr


def test_run_reports_foreign_libraries(optc, tmp_path):
    (tmp_path / "fake.so").write_bytes(b"\x7fELF not really")
    result = optc_run(optc, tmp_path / "fake.so")
    assert result.returncode == 1
    assert "fake.so' is not a whole library: the ELF header" in result.stderr
    result = optc_run(optc, tmp_path / "none.so")
    assert result.returncode == 1
    assert "cannot read" in result.stderr


def test_concurrent_runs_from_threads(optc, tmp_path):
    """One loaded model run from several threads at once gives every thread
    its own correct result (ctypes releases the GIL during calls)."""
    import ctypes
    import threading
    library = compile_mlp(optc, tmp_path)
    lib = ctypes.CDLL(str(library))
    model = ctypes.c_void_p()
    lib.net_load.restype = ctypes.c_void_p
    assert lib.net_load(None, ctypes.byref(model)) is None

    class Tensor(ctypes.Structure):
        _fields_ = [("dtype", ctypes.c_int), ("rank", ctypes.c_int32),
                    ("shape", ctypes.POINTER(ctypes.c_int64)),
                    ("strides", ctypes.POINTER(ctypes.c_int64)),
                    ("data", ctypes.c_void_p)]

    lib.optc_model_run.restype = ctypes.c_void_p
    in_shape = (ctypes.c_int64 * 2)(4, 16)
    out_shape = (ctypes.c_int64 * 2)(4, 8)
    errors = []

    def worker(seed):
        for round in range(50):
            x = random((4, 16), np.float32, seed * 100 + round)
            y = np.zeros((4, 8), np.float32)
            t_in = Tensor(1, 2, in_shape, None, x.ctypes.data)
            t_out = Tensor(1, 2, out_shape, None, y.ctypes.data)
            if lib.optc_model_run(model, ctypes.byref(t_in), 1,
                                  ctypes.byref(t_out), 1):
                errors.append("status")
                return
            want = np.tanh(x @ numpy_helper.to_array(mlp().graph.initializer[0]))
            if not np.allclose(y, want, rtol=1e-5, atol=1e-6):
                errors.append(f"thread {seed} round {round}")
                return

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lib.optc_model_free(model)
    assert not errors, errors


def test_weights_side_file(optc, tmp_path):
    """Weights in a side file give the same results; a missing, truncated
    or foreign side file is an error at load."""
    import onnx
    model = mlp()
    onnx.save(model, tmp_path / "net.onnx")
    x = random((4, 16), np.float32, 8)
    np.save(tmp_path / "x.npy", x)
    for flags in (["--weights=file"], ["--weights-limit=1"]):
        out = tmp_path / "lib"
        out.mkdir(exist_ok=True)
        subprocess.run([str(optc), str(tmp_path / "net.onnx"), "-o",
                        str(out / "net.so"), *flags], check=True)
        assert (out / "net.weights").stat().st_size == 64 + 16 * 8 * 4
        result = optc_run(optc, out / "net.so", "--input", f"x={tmp_path / 'x.npy'}",
                          "--output-dir", str(tmp_path / "y"))
        assert result.returncode == 0, result.stderr
        np.testing.assert_allclose(np.load(tmp_path / "y" / "y.npy"),
                                   reference(model, {"x": x})[0], rtol=1e-5,
                                   atol=1e-6)
    # Embedded: no side file.
    subprocess.run([str(optc), str(tmp_path / "net.onnx"), "-o",
                    str(tmp_path / "embedded.so")], check=True)
    assert not (tmp_path / "embedded.weights").exists()

    weights = (tmp_path / "lib" / "net.weights").read_bytes()
    run = lambda *a: optc_run(optc, tmp_path / "lib" / "net.so", "--input",
                              f"x={tmp_path / 'x.npy'}", *a)
    (tmp_path / "short.weights").write_bytes(weights[:-4])
    assert "has 572 bytes; the model expects 576" in run(
        "--weights-file", str(tmp_path / "short.weights")).stderr
    (tmp_path / "other.weights").write_bytes(
        weights[:8] + b"0000000000000000" + weights[24:])
    assert "belongs to another model" in run(
        "--weights-file", str(tmp_path / "other.weights")).stderr
    (tmp_path / "lib" / "net.weights").unlink()
    result = run()
    assert result.returncode == 1
    assert "cannot open the weights file" in result.stderr


def test_run_time_checks_are_errors(optc, tmp_path):
    """An axis given at run time that is out of range is an error status
    with the check's message; the process survives and the outputs are
    untouched."""
    model = make_model([helper.make_node("CumSum", ["x", "axis"], ["y"])],
                       [("x", F32, [2, 3]), ("axis", TensorProto.INT32, [])],
                       [("y", F32, [2, 3])])
    import onnx
    onnx.save(model, tmp_path / "cs.onnx")
    subprocess.run([str(optc), str(tmp_path / "cs.onnx"), "-o",
                    str(tmp_path / "cs.so")], check=True)
    np.save(tmp_path / "x.npy", random((2, 3), np.float32, 1))
    np.save(tmp_path / "bad.npy", np.array(5, np.int32))
    np.save(tmp_path / "good.npy", np.array(-1, np.int32))
    result = optc_run(optc, tmp_path / "cs.so", "--input",
                      f"x={tmp_path / 'x.npy'}", "--input",
                      f"axis={tmp_path / 'bad.npy'}", "--output-dir",
                      str(tmp_path / "out"))
    assert result.returncode == 1
    assert "rejected its inputs" in result.stderr
    assert "(axis) holds axes that are out of range" in result.stderr
    assert not (tmp_path / "out").exists()
    result = optc_run(optc, tmp_path / "cs.so", "--input",
                      f"x={tmp_path / 'x.npy'}", "--input",
                      f"axis={tmp_path / 'good.npy'}")
    assert result.returncode == 0, result.stderr


def test_truncated_or_corrupt_library_is_an_error(optc, tmp_path):
    """A library cut short anywhere, or with its headers pointing past its
    end, is an error naming the file: dlopen would map it and raise
    SIGBUS (issue 15: every cut between 1 and 40 KB did)."""
    import onnx
    import struct
    onnx.save(mlp(), tmp_path / "net.onnx")
    subprocess.run([str(optc), str(tmp_path / "net.onnx"), "-o",
                    str(tmp_path / "net.so")], check=True)
    whole = (tmp_path / "net.so").read_bytes()
    broken = tmp_path / "broken.so"
    sizes = sorted({0, 1, 63, 64, 100, 1000} | set(range(1024, len(whole), 997))
                   | {len(whole) - 1})
    for size in sizes:
        broken.write_bytes(whole[:size])
        result = optc_run(optc, broken)
        assert result.returncode == 1, (size, result.returncode, result.stderr)
        assert "broken.so" in result.stderr and "error" in result.stderr, size
    # Header fields pointing past the end: the program header table's
    # offset (e_phoff, at byte 32) and a segment's file size.
    corrupt = bytearray(whole)
    corrupt[32:40] = struct.pack("<Q", len(whole))
    broken.write_bytes(bytes(corrupt))
    result = optc_run(optc, broken)
    assert result.returncode == 1 and "program header table" in result.stderr
    corrupt = bytearray(whole)
    phoff = struct.unpack_from("<Q", whole, 32)[0]
    struct.pack_into("<Q", corrupt, phoff + 32, 1 << 40)  # p_filesz of the first
    broken.write_bytes(bytes(corrupt))
    result = optc_run(optc, broken)
    assert result.returncode == 1 and "a segment" in result.stderr
    # Not a library at all.
    broken.write_bytes(b"\x7fELF" + bytes(100))
    assert optc_run(optc, broken).returncode == 1
    # The whole file still loads (and asks for its input).
    assert "input 'x' is not given" in optc_run(optc, tmp_path / "net.so").stderr
