"""Gathers whose result is 0-d: a scalar index into 1-D data (Gather with
0-d indices, GatherND picking one element). The kernel is a 0-d
linalg.generic whose body extracts at a computed position; upstream's
vectoriser turns it into a vector.gather with a scalar index, which fails
verification in the vector stage (issue 14). Until the CPU scheduler leaves
0-d ops scalar, these compile to an internal error naming the stage, the
pass and the node; the xfail lifts itself once they compile."""
import subprocess

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from harness import check, make_model, random

F32 = TensorProto.FLOAT
I64 = TensorProto.INT64


def scalar_gather():
    # Picks one score, then uses it (the index comes from the model input).
    return make_model(
        [helper.make_node("Gather", ["scores", "i"], ["picked"], axis=0,
                          name="pick"),
         helper.make_node("Relu", ["picked"], ["y"], name="act")],
        [("scores", F32, [16]), ("i", I64, [])], [("y", F32, [])])


def scalar_gather_nd():
    return make_model(
        [helper.make_node("GatherND", ["scores", "i"], ["y"], name="pick")],
        [("scores", F32, [7]), ("i", I64, [1])], [("y", F32, [])])


@pytest.mark.xfail(reason="0-d gathers are vectorised into an invalid "
                   "vector.gather (issue 14)", strict=False)
@pytest.mark.parametrize("index", [0, 5, -1])
def test_scalar_gather(optc, tmp_path, index):
    check(optc, tmp_path, scalar_gather(),
          {"scores": random([16], np.float32, 1),
           "i": np.array(index, np.int64)})


@pytest.mark.xfail(reason="0-d gathers are vectorised into an invalid "
                   "vector.gather (issue 14)", strict=False)
def test_scalar_gather_nd(optc, tmp_path):
    check(optc, tmp_path, scalar_gather_nd(),
          {"scores": random([7], np.float32, 2),
           "i": np.array([-2], np.int64)})


def test_failure_is_an_internal_error(optc, tmp_path):
    """While the bug lasts, it is reported as optc's bug, at the node."""
    path = tmp_path / "model.onnx"
    onnx.save(scalar_gather(), path)
    result = subprocess.run([str(optc), str(path), "-o",
                             str(tmp_path / "model.so")],
                            capture_output=True, text=True)
    if result.returncode == 0:
        pytest.skip("the bug is fixed")
    assert ("internal error in stage 'vector' (pass "
            "optc-cpu-tile-and-vectorize on @k0_gather) at node 'pick': "
            "'vector.gather' op") in result.stderr
    assert "this is a bug in optc, not in the model" in result.stderr
    assert not (tmp_path / "model.so").exists()
