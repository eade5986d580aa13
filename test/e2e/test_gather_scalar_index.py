"""Gathers whose result is 0-d: a scalar index into 1-D data (Gather with
0-d indices, GatherND picking one element). The kernel is a 0-d
linalg.generic whose body extracts at a computed position; upstream's
vectoriser turned it into a vector.gather with a scalar index, which failed
verification in the vector stage (issue 14). The CPU scheduler now leaves
0-d ops scalar."""

import numpy as np
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


@pytest.mark.parametrize("index", [0, 5, -1])
def test_scalar_gather(optc, tmp_path, index):
    check(optc, tmp_path, scalar_gather(),
          {"scores": random([16], np.float32, 1),
           "i": np.array(index, np.int64)})


def test_scalar_gather_nd(optc, tmp_path):
    check(optc, tmp_path, scalar_gather_nd(),
          {"scores": random([7], np.float32, 2),
           "i": np.array([-2], np.int64)})
