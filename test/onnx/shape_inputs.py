"""Which graph inputs of an ONNX model the conformance runner may fix at
compile time: the allow-list of shape inputs, and the walk that finds the
graph inputs feeding them.

An ahead-of-time compiler must know every output shape. Some ONNX ops take
the values that decide their output's shape as inputs (a Reshape's shape, a
Slice's starts), and a user deploying such a model fixes them. The runner
fixes a graph input only when this module says it decides a shape: it never
takes optc's word for it.

SHAPE_INPUTS, keyed by (op domain, op type), names the formal inputs (as the
ONNX operator schemas name them, onnx.defs.get_schema(op).inputs) whose
values decide the shape of an output. It was derived from the schemas of the
pinned onnx package: every input whose type constraint allows only integer
tensors (listed by `python test/onnx/shape_inputs.py --candidates`), plus
the float inputs Resize.scales, Upsample.scales, Range's three and
OneHot.depth and Loop's boolean condition, then filtered by hand to those
that decide an output's shape. Left off on purpose: indices (Gather,
Scatter*, ...; an output's shape is the indices' shape, not their values),
axes that do not change a shape (CumSum.axis, CumProd.axis), Trilu.k,
Resize.roi (coordinates), sequence_lens (RNNs, ReverseSequence),
If.cond, and NonMaxSuppression.max_output_boxes_per_class (its output is
data-dependent whatever the bound). `check()` verifies that every entry names
an input some version of the op's schema has, so that a typo fails
(test/python/test_conformance.py).

A graph input is fixable when it feeds an allow-listed input of some node,
in the main graph or in a subgraph (If/Loop/Scan bodies), either directly or
through ops that compute small integer tensors: the ops of SHAPE_ARITHMETIC
(casts, concatenations, splits and slices, element-wise arithmetic, small
reductions), an If's outputs (its branches' outputs), and a Loop's or
Scan's body inputs (the node's inputs bound to them). Shape and Size end the
walk: they read an input's shape, which is static, not its values. Function
expansions (`*_expanded` tests) are graphs of primitive ops, so they need no
special case; models with local functions (none among the node tests) are
walked without entering the functions.
"""
import sys

import onnx
import onnx.defs

_REDUCTIONS = ("ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceMax",
               "ReduceMean", "ReduceMin", "ReduceProd", "ReduceSum", "ReduceSumSquare")

SHAPE_INPUTS = {
    ("", "AffineGrid"): ("size",),
    ("", "BlackmanWindow"): ("size",),
    ("", "CenterCropPad"): ("shape",),
    ("", "Col2Im"): ("image_shape", "block_shape"),
    ("", "ConstantOfShape"): ("input",),
    ("", "DFT"): ("dft_length", "axis"),
    ("", "Expand"): ("shape",),
    ("", "HammingWindow"): ("size",),
    ("", "HannWindow"): ("size",),
    # The trip count and the condition decide the number of iterations, so
    # the length of the scan outputs.
    ("", "Loop"): ("M", "cond"),
    ("", "MaxUnpool"): ("output_shape",),
    ("", "MelWeightMatrix"): ("num_mel_bins", "dft_length"),
    ("", "OneHot"): ("depth",),
    ("", "Pad"): ("pads", "axes"),
    ("", "Range"): ("start", "limit", "delta"),
    **{("", op): ("axes",) for op in _REDUCTIONS},
    ("", "Reshape"): ("shape",),
    ("", "Resize"): ("scales", "sizes"),
    ("", "STFT"): ("frame_step", "frame_length"),
    ("", "Slice"): ("starts", "ends", "axes", "steps"),
    ("", "Split"): ("split",),
    ("", "SplitToSequence"): ("split",),
    ("", "Squeeze"): ("axes",),
    ("", "Tile"): ("repeats",),
    ("", "TopK"): ("K",),
    ("", "Unsqueeze"): ("axes",),
    ("", "Upsample"): ("scales",),
}

# Ops of the default domain that carry a shape computation from their inputs
# to their outputs (every input is followed).
SHAPE_ARITHMETIC = frozenset((
    "Identity", "Cast", "CastLike", "Concat", "Split", "Slice", "Gather", "GatherElements",
    "Squeeze", "Unsqueeze", "Reshape", "Flatten", "Expand", "Tile",
    "Add", "Sub", "Mul", "Div", "Mod", "Neg", "Abs", "Ceil", "Floor", "Round", "Sqrt",
    "Max", "Min", "Clip", "Relu", "Sign", "Where", "Equal", "Less", "Greater", "LessOrEqual",
    "GreaterOrEqual", "Not", "And", "Or",
    "ReduceMax", "ReduceMin", "ReduceProd", "ReduceSum",
))


def _domain(domain):
    return "" if domain in ("", "ai.onnx") else domain


def check():
    """Problems with SHAPE_INPUTS: entries whose op or input name no schema
    of the installed onnx has. Empty when all is well."""
    schemas = {}
    for schema in onnx.defs.get_all_schemas_with_history():
        names = schemas.setdefault((_domain(schema.domain), schema.name), set())
        names.update(formal.name for formal in schema.inputs)
    problems = []
    for (domain, op), names in sorted(SHAPE_INPUTS.items()):
        if (domain, op) not in schemas:
            problems.append(f"{domain or 'ai.onnx'}.{op}: no such op")
            continue
        for name in names:
            if name not in schemas[(domain, op)]:
                problems.append(f"{domain or 'ai.onnx'}.{op}: no input '{name}' in any "
                                f"version (it has {', '.join(sorted(schemas[(domain, op)]))})")
    return problems


_slots = {}


def shape_slots(domain, op, opset):
    """The positions of the allow-listed inputs of `op` in the schema of
    that op for `opset` (names move between versions: Split's split was an
    attribute before opset 13)."""
    domain = _domain(domain)
    key = (domain, op, opset)
    if key not in _slots:
        names = SHAPE_INPUTS.get((domain, op), ())
        positions = []
        if names and opset is not None:
            try:
                schema = onnx.defs.get_schema(op, max_inclusive_version=opset, domain=domain)
            except onnx.defs.SchemaError:
                schema = None
            if schema is not None:
                positions = [i for i, formal in enumerate(schema.inputs) if formal.name in names]
        _slots[key] = positions
    return _slots[key]


def _subgraphs(node):
    for attr in node.attribute:
        if attr.type == onnx.AttributeProto.GRAPH:
            yield attr.name, attr.g
        elif attr.type == onnx.AttributeProto.GRAPHS:
            for g in attr.graphs:
                yield attr.name, g


def fixable_inputs(model):
    """The graph inputs (sorted names) of `model` whose values decide an
    output shape, as the module docstring describes."""
    initializers = {t.name for t in model.graph.initializer}
    graph_inputs = {i.name for i in model.graph.input if i.name not in initializers}
    opsets = {_domain(o.domain): o.version for o in model.opset_import}
    sources = {}  # value -> the values it is computed from, where the walk goes on
    sinks = []    # values fed to allow-listed inputs

    def visit(graph):
        for node in graph.node:
            domain = _domain(node.domain)
            for i in shape_slots(domain, node.op_type, opsets.get(domain)):
                if i < len(node.input) and node.input[i]:
                    sinks.append(node.input[i])
            if domain == "" and node.op_type in SHAPE_ARITHMETIC:
                for out in node.output:
                    sources.setdefault(out, []).extend(n for n in node.input if n)
            branches = dict(_subgraphs(node))
            if domain == "" and node.op_type == "If":
                for branch in branches.values():
                    for out, inner in zip(node.output, branch.output):
                        sources.setdefault(out, []).append(inner.name)
            if domain == "" and node.op_type in ("Loop", "Scan") and "body" in branches:
                actual = list(node.input)
                if node.op_type == "Scan" and opsets.get("", 0) < 9:
                    actual = actual[1:]  # Scan-8's first input is sequence_lens
                for formal, outer in zip(branches["body"].input, actual):
                    if outer:
                        sources.setdefault(formal.name, []).append(outer)
            for sub in branches.values():
                visit(sub)

    visit(model.graph)
    fixable, seen, todo = set(), set(), list(sinks)
    while todo:
        value = todo.pop()
        if value in seen:
            continue
        seen.add(value)
        if value in graph_inputs:
            fixable.add(value)
        todo.extend(sources.get(value, ()))
    return sorted(fixable)


def _candidates():
    """The schema inputs the allow-list was chosen from: those whose type
    allows only integer tensors."""
    seen = set()
    for schema in sorted(onnx.defs.get_all_schemas_with_history(),
                         key=lambda s: (s.domain, s.name, s.since_version)):
        allowed = {c.type_param_str: c.allowed_type_strs for c in schema.type_constraints}
        for formal in schema.inputs:
            types = allowed.get(formal.type_str, [formal.type_str])
            key = (_domain(schema.domain), schema.name, formal.name)
            if key not in seen and all(t in ("tensor(int32)", "tensor(int64)") for t in types):
                seen.add(key)
                listed = formal.name in SHAPE_INPUTS.get(key[:2], ())
                print(f"{'listed ' if listed else '       '} {key[0] or 'ai.onnx'}.{key[1]}"
                      f".{formal.name}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--candidates"]:
        _candidates()
        sys.exit(0)
    if sys.argv[1:]:
        sys.exit("usage: shape_inputs.py [--candidates]\n"
                 "checks the allow-list against the onnx schemas, or lists the candidates")
    bad = check()
    for problem in bad:
        print(f"shape_inputs: {problem}", file=sys.stderr)
    sys.exit(1 if bad else 0)
