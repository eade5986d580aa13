"""Generators and machinery of the differential test against onnxruntime
(test/e2e/test_differential.py): core.py (draws, batching, comparison
rules), ops.py (GENERATORS, a generator per op, and make_case), whose
generators are in ops_elementwise.py, ops_nn.py, ops_reduce.py and
ops_shape.py, with what they share in ops_common.py."""
