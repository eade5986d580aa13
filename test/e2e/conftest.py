"""Lets the end-to-end tests import their harness."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
