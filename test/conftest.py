"""Shared fixtures of optc's pytest suites: where the built tools are."""
import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def build_dir():
    path = pathlib.Path(os.environ.get("OPTC_BUILD_DIR", ROOT / "build"))
    if not (path / "bin" / "optc").exists():
        pytest.fail(f"optc is not built in {path}; run scripts/test.sh")
    return path


@pytest.fixture(scope="session")
def optc(build_dir):
    return build_dir / "bin" / "optc"


@pytest.fixture(scope="session")
def optc_opt(build_dir):
    return build_dir / "bin" / "optc-opt"


@pytest.fixture(scope="session")
def optc_api(build_dir):
    """The optc Python package as built in the build directory."""
    import sys
    package = build_dir / "python"
    if not (package / "optc" / "__init__.py").exists():
        pytest.fail(f"the optc package is not built in {package}; run scripts/test.sh")
    if str(package) not in sys.path:
        sys.path.insert(0, str(package))
    import optc
    return optc
