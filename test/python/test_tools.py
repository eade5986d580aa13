"""End-to-end tests of the optc and optc-opt commands.

The robustness tests feed the tools many damaged versions of valid IR and
require a diagnostic and exit status 1 (or success), never a crash: a
signal, an abort or LLVM's crash report.
"""
import pathlib
import random
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]

EXAMPLE = ROOT / "examples" / "mlp.mlir"
CORPUS = sorted((ROOT / "test" / "dialects" / "Optc").glob("*.mlir")) + [
    ROOT / "test" / "passes" / "Graph" / "optc-infer-shapes.mlir",
    EXAMPLE,
]


def run(*args, stdin=None):
    return subprocess.run(
        [str(a) for a in args], input=stdin, capture_output=True, timeout=60
    )


def test_optc_round_trips_the_example(optc, optc_opt, tmp_path):
    out = tmp_path / "mlp.out.mlir"
    result = run(optc, EXAMPLE, "-o", out)
    assert result.returncode == 0, result.stderr.decode()
    # The written module is exactly what optc-opt prints for the same input.
    reference = run(optc_opt, EXAMPLE)
    assert reference.returncode == 0
    assert out.read_bytes() == reference.stdout
    # And it parses again to the same text.
    again = run(optc_opt, out)
    assert again.stdout == reference.stdout


def test_optc_reads_stdin(optc):
    result = run(optc, "-", stdin=EXAMPLE.read_bytes())
    assert result.returncode == 0, result.stderr.decode()
    assert b"optc.matmul" in result.stdout


def test_optc_reports_and_keeps_no_output(optc, tmp_path):
    bad = tmp_path / "bad.mlir"
    bad.write_text("func.func @f(%x: tensor<2xf32>) {\n  %0 = optc.exp %x : tensor<3xf32>\n}\n")
    out = tmp_path / "out.mlir"
    result = run(optc, bad, "-o", out)
    assert result.returncode == 1
    assert b"bad.mlir:2:" in result.stderr and b"error:" in result.stderr
    assert not out.exists()


def assert_clean_failure(result, what):
    stderr = result.stderr.decode(errors="replace")
    assert result.returncode in (0, 1), f"{what}: exit {result.returncode}\n{stderr[-2000:]}"
    assert "Stack dump" not in stderr and "PLEASE submit a bug report" not in stderr, (
        f"{what}: crashed\n{stderr[-2000:]}"
    )
    if result.returncode == 1:
        assert "error:" in stderr, f"{what}: failed without a diagnostic"


def test_truncated_ir_never_crashes(optc_opt):
    for path in CORPUS:
        text = path.read_bytes()
        # Cut every file at 40 points spread over its length.
        for i in range(1, 41):
            cut = text[: len(text) * i // 41]
            result = run(optc_opt, "-", "--split-input-file", stdin=cut)
            assert_clean_failure(result, f"{path.name} cut at {len(cut)}")


# The passes that rewrite IR run on every mutated input too: folders and
# shape inference see the odd shapes and attributes a parser accepts.
PIPELINES = [[], ["--canonicalize"], ["--optc-infer-shapes", "--canonicalize"]]


def test_mutated_ir_never_crashes(optc_opt):
    rng = random.Random(20261121)
    tokens = [b"0", b"-1", b"?", b"x", b"tensor<", b">", b",", b"}", b"%", b"i1", b"f16",
              b"array<i64: 9>", b"ui8", b"(", b")", b"\x00", b"\xff"]
    for path in CORPUS:
        text = path.read_bytes()
        for _ in range(40):
            data = bytearray(text)
            for _ in range(rng.randint(1, 4)):
                pos = rng.randrange(len(data))
                data[pos : pos + rng.randint(0, 3)] = rng.choice(tokens)
            pipeline = PIPELINES[rng.randrange(len(PIPELINES))]
            result = run(optc_opt, "-", "--split-input-file", *pipeline, stdin=bytes(data))
            assert_clean_failure(result, f"mutated {path.name} with {pipeline}")


def test_demo_runs(build_dir):
    """scripts/demo.sh is the user's first command: it must keep working."""
    import os

    env = dict(os.environ, OPTC_BUILD_DIR=str(build_dir))
    r = subprocess.run([str(ROOT / "scripts" / "demo.sh")], capture_output=True, text=True,
                       timeout=600, env=env, cwd=ROOT)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "demo: OK" in r.stdout
    assert "3 op types, 4 nodes; all supported" in r.stdout
