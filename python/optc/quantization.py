"""How much a quantization policy costs a model in accuracy.

    report = optc.quantization_report("model.onnx", "int4-g32")
    print(report)          # a Markdown table, one row per output
    report.rows            # the same numbers as OutputError tuples

The model is compiled twice, in f32 and with `quantize=policy` (the same
options otherwise), and both run on the same seeded inputs (or the given
ones). Per output: the largest and the mean of |quantized - float|
relative to the float output's largest magnitude, and for classifier-like
outputs ([batch, classes] with at least two classes) the share of rows
whose arg max agrees. The weights' own signal-to-quantization-noise
ratios are `optc --quantize=POLICY --quantize-report`'s table.
"""
import collections

import numpy as np

OutputError = collections.namedtuple("OutputError",
                                     "name max_relative mean_relative top1_agreement")
OutputError.__doc__ = ("One output's error under quantization: the largest and the mean "
                       "absolute difference from the float model relative to the float "
                       "output's largest magnitude, and the share of rows whose arg max "
                       "agrees (None when the output is not [batch, classes]).")


class QuantizationReport:
    """The errors `quantization_report` measured (rows: OutputError)."""

    def __init__(self, policy, runs, rows):
        self.policy, self.runs, self.rows = policy, runs, rows

    def __str__(self):
        lines = [f"--quantize={self.policy} against f32, {self.runs} seeded run(s)", "",
                 f"| {'output':<24} | {'max rel. error':>14} | {'mean rel. error':>15} "
                 f"| {'top-1 agreement':>15} |",
                 f"|{'-' * 26}|{'-' * 16}|{'-' * 17}|{'-' * 17}|"]
        for row in self.rows:
            top1 = "-" if row.top1_agreement is None else f"{100 * row.top1_agreement:.1f}%"
            lines.append(f"| {row.name:<24} | {row.max_relative:14.2e} | "
                         f"{row.mean_relative:15.2e} | {top1:>15} |")
        return "\n".join(lines)

    __repr__ = __str__


def _draw(spec, rng):
    """A seeded input for `spec`: standard normal floats, small integers."""
    shape = [int(d) for d in spec.shape]
    if spec.dtype is None:
        raise ValueError(f"input '{spec.name}' has a type NumPy cannot hold; "
                         "pass inputs= to quantization_report")
    dtype = np.dtype(spec.dtype)
    if dtype.kind == "f":
        return rng.standard_normal(shape).astype(dtype)
    if dtype.kind == "b":
        return rng.integers(0, 2, shape).astype(dtype)
    return rng.integers(0, 8, shape).astype(dtype)


def quantization_report(model, policy, inputs=None, runs=4, seed=0, **options):
    """Compiles `model` in f32 and with --quantize=`policy` (other compile
    options as optc.compile's), runs both `runs` times on inputs drawn with
    `seed` (standard normal floats; small non-negative integers), or once on
    `inputs` (a dict of name to array), and returns a QuantizationReport."""
    from . import compile as compile_model
    if not policy:
        raise ValueError("quantization_report needs a policy, e.g. 'int4-g32'")
    if "quantize" in options:
        raise TypeError("pass the policy as quantization_report's second argument")
    reference = compile_model(model, **options)
    quantized = compile_model(model, quantize=policy, **options)
    if inputs is not None:
        feeds = [dict(inputs)]
    else:
        rng = np.random.default_rng(seed)
        feeds = [{spec.name: _draw(spec, rng) for spec in reference.inputs}
                 for _ in range(runs)]
    worst = collections.defaultdict(float)
    total = collections.defaultdict(float)
    count = collections.defaultdict(int)
    agree = collections.defaultdict(int)
    rows_seen = collections.defaultdict(int)
    for feed in feeds:
        want = reference(**feed)
        got = quantized(**feed)
        want = want if isinstance(want, (list, tuple)) else [want]
        got = got if isinstance(got, (list, tuple)) else [got]
        for spec, w, g in zip(reference.outputs, want, got):
            w = np.asarray(w, np.float64)
            g = np.asarray(g, np.float64)
            scale = float(np.max(np.abs(w))) if w.size else 0.0
            difference = np.abs(g - w) / (scale if scale > 0 else 1.0)
            worst[spec.name] = max(worst[spec.name],
                                   float(difference.max()) if difference.size else 0.0)
            total[spec.name] += float(difference.sum())
            count[spec.name] += difference.size
            if w.ndim == 2 and w.shape[1] >= 2:
                agree[spec.name] += int(np.sum(w.argmax(axis=1) == g.argmax(axis=1)))
                rows_seen[spec.name] += w.shape[0]
    rows = []
    for spec in reference.outputs:
        name = spec.name
        top1 = agree[name] / rows_seen[name] if rows_seen[name] else None
        rows.append(OutputError(name, worst[name],
                                total[name] / count[name] if count[name] else 0.0, top1))
    return QuantizationReport(policy, len(feeds), rows)
