"""Generators and machinery of the differential test against onnxruntime
(test/e2e/test_differential.py): core.py (draws, batching, comparison
rules), ops.py (a generator per op)."""
