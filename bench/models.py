#!/usr/bin/env python3
"""The benchmark model set: ONNX models representative of users, built here
with fixed seeds (no downloads), plus micro-benchmarks.

usage: models.py OUT_DIR [--models NAME,...]
       models.py --list      (each name and its group)

Each model is written as OUT_DIR/<name>.onnx with static input shapes; the
weights are random (seeded per model) and scaled so activations stay in a
sane range. `MODELS` maps a name to (builder, group, flops): the group is
WHOLE (a whole model) or MICRO (a micro-benchmark: one op or one layer),
and flops, the multiply-add count x 2 of a GEMM micro-benchmark, gives its
GFLOP/s. `make_feeds` makes a model's inputs (token ids, masks, floats).
"""
import argparse
import pathlib
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F32 = TensorProto.FLOAT
OPSET = 17


class Graph:
    """A small builder: nodes, initializers and fresh names."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits, self.count = [], [], 0

    def name(self, base):
        self.count += 1
        return f"{base}_{self.count}"

    def weight(self, shape, scale=None):
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
        scale = scale if scale is not None else 1.0 / np.sqrt(max(fan_in, 1))
        name = self.name("w")
        value = (self.rng.standard_normal(shape) * scale).astype(np.float32)
        self.inits.append(numpy_helper.from_array(value, name))
        return name

    def const(self, value, dtype=np.int64):
        name = self.name("c")
        self.inits.append(numpy_helper.from_array(np.asarray(value, dtype), name))
        return name

    def op(self, op_type, inputs, outputs=1, **attrs):
        """Adds a node; returns its output name, or a list of `outputs`
        names when it has several."""
        names = [self.name(op_type.lower()) for _ in range(outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, names, **attrs))
        return names[0] if outputs == 1 else names

    def model(self, inputs, outputs):
        """inputs: (name, shape) or (name, shape, element type) triples."""
        graph = helper.make_graph(
            self.nodes, "bench",
            [helper.make_tensor_value_info(i[0], i[2] if len(i) > 2 else F32, i[1])
             for i in inputs],
            [helper.make_tensor_value_info(n, F32, None) for n in outputs],
            initializer=self.inits)
        model = helper.make_model(
            graph, opset_imports=[helper.make_opsetid("", OPSET)])
        model.ir_version = 8
        return onnx.shape_inference.infer_shapes(model)

    # Layers.
    def linear(self, x, fan_in, fan_out, bias=True):
        y = self.op("MatMul", [x, self.weight([fan_in, fan_out])])
        if bias:
            y = self.op("Add", [y, self.weight([fan_out], 0.02)])
        return y

    def layer_norm(self, x, width):
        return self.op("LayerNormalization",
                       [x, self.weight([width], 0.1), self.weight([width], 0.02)],
                       axis=-1, epsilon=1e-5)

    def gelu(self, x):
        # 0.5 x (1 + erf(x / sqrt 2)), as exported models write it.
        scaled = self.op("Mul", [x, self.const(np.float32(1 / np.sqrt(2)), np.float32)])
        erf = self.op("Erf", [scaled])
        one = self.op("Add", [erf, self.const(np.float32(1), np.float32)])
        half = self.op("Mul", [x, self.const(np.float32(0.5), np.float32)])
        return self.op("Mul", [half, one])

    def conv(self, x, c_in, c_out, k, stride=1, group=1, relu=True, relu6=False):
        pad = k // 2
        y = self.op("Conv", [x, self.weight([c_out, c_in // group, k, k]),
                             self.weight([c_out], 0.02)],
                    kernel_shape=[k, k], strides=[stride, stride],
                    pads=[pad] * 4, group=group)
        # Inference graphs keep BatchNormalization unless folded.
        y = self.op("BatchNormalization",
                    [y, self.weight([c_out], 0.1), self.weight([c_out], 0.02),
                     self.weight([c_out], 0.02),
                     self.const(np.ones(c_out, np.float32), np.float32)],
                    epsilon=1e-5)
        if relu6:
            return self.op("Clip", [y, self.const(np.float32(0), np.float32),
                                    self.const(np.float32(6), np.float32)])
        return self.op("Relu", [y]) if relu else y


def attention(g, x, seq, width, heads, causal=False, past=None):
    """Multi-head self-attention of x (1 x seq x width); with `past`, a
    (key, value) pair of caches (1 x heads x past_len x head) to extend."""
    head = width // heads
    def split(t, length):
        t = g.op("Reshape", [t, g.const([1, length, heads, head])])
        return g.op("Transpose", [t], perm=[0, 2, 1, 3])
    q, k, v = (split(g.linear(x, width, width), seq) for _ in range(3))
    outputs = []
    if past is not None:
        k = g.op("Concat", [past[0], k], axis=2)
        v = g.op("Concat", [past[1], v], axis=2)
        outputs = [k, v]
    kt = g.op("Transpose", [k], perm=[0, 1, 3, 2])
    scores = g.op("MatMul", [q, kt])
    scores = g.op("Mul", [scores, g.const(np.float32(1 / np.sqrt(head)), np.float32)])
    if causal:
        mask = np.triu(np.full((seq, seq), -1e4, np.float32), 1)
        scores = g.op("Add", [scores, g.const(mask, np.float32)])
    probs = g.op("Softmax", [scores], axis=-1)
    ctx = g.op("MatMul", [probs, v])
    ctx = g.op("Transpose", [ctx], perm=[0, 2, 1, 3])
    ctx = g.op("Reshape", [ctx, g.const([1, seq, width])])
    return g.linear(ctx, width, width), outputs


def transformer_block(g, x, seq, width, heads, pre_norm, causal=False, past=None):
    if pre_norm:
        a, cache = attention(g, g.layer_norm(x, width), seq, width, heads, causal, past)
        x = g.op("Add", [x, a])
        m = g.linear(g.gelu(g.linear(g.layer_norm(x, width), width, 4 * width)),
                     4 * width, width)
        return g.op("Add", [x, m]), cache
    a, cache = attention(g, x, seq, width, heads, causal, past)
    x = g.layer_norm(g.op("Add", [x, a]), width)
    m = g.linear(g.gelu(g.linear(x, width, 4 * width)), 4 * width, width)
    return g.layer_norm(g.op("Add", [x, m]), width), cache


def mlp(batch):
    def build():
        g = Graph(1)
        h = g.op("Relu", [g.linear("x", 784, 512)])
        h = g.op("Relu", [g.linear(h, 512, 512)])
        return g.model([("x", [batch, 784])], [g.op("Softmax", [g.linear(h, 512, 10)])])
    return build


def bert_layer():
    g = Graph(2)
    y, _ = transformer_block(g, "x", 128, 768, 12, pre_norm=False)
    return g.model([("x", [1, 128, 768])], [y])


def gpt2_prefill():
    g = Graph(3)
    y, _ = transformer_block(g, "x", 128, 768, 12, pre_norm=True, causal=True)
    return g.model([("x", [1, 128, 768])], [y])


def gpt2_decode():
    g = Graph(3)
    y, cache = transformer_block(g, "x", 1, 768, 12, pre_norm=True,
                                 past=("past_k", "past_v"))
    return g.model([("x", [1, 1, 768]), ("past_k", [1, 12, 127, 64]),
                    ("past_v", [1, 12, 127, 64])], [y] + cache)


def vit_block():
    g = Graph(4)
    y, _ = transformer_block(g, "x", 197, 768, 12, pre_norm=True)
    return g.model([("x", [1, 197, 768])], [y])


def resnet50():
    g = Graph(5)
    x = g.conv("x", 3, 64, 7, stride=2)
    x = g.op("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    c_in = 64
    for stage, (blocks, width) in enumerate([(3, 64), (4, 128), (6, 256), (3, 512)]):
        for b in range(blocks):
            stride = 2 if b == 0 and stage > 0 else 1
            y = g.conv(x, c_in, width, 1)
            y = g.conv(y, width, width, 3, stride=stride)
            y = g.conv(y, width, 4 * width, 1, relu=False)
            if b == 0:
                x = g.conv(x, c_in, 4 * width, 1, stride=stride, relu=False)
            x = g.op("Relu", [g.op("Add", [x, y])])
            c_in = 4 * width
    x = g.op("Flatten", [g.op("GlobalAveragePool", [x])])
    return g.model([("x", [1, 3, 224, 224])], [g.linear(x, 2048, 1000)])


def mobilenet_v2():
    g = Graph(6)
    x = g.conv("x", 3, 32, 3, stride=2, relu6=True)
    c_in = 32
    for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                       (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
        for i in range(n):
            stride = s if i == 0 else 1
            hidden = c_in * t
            y = x if t == 1 else g.conv(x, c_in, hidden, 1, relu6=True)
            y = g.conv(y, hidden, hidden, 3, stride=stride, group=hidden, relu6=True)
            y = g.conv(y, hidden, c, 1, relu=False)
            x = g.op("Add", [x, y]) if stride == 1 and c_in == c else y
            c_in = c
    x = g.conv(x, c_in, 1280, 1, relu6=True)
    x = g.op("Flatten", [g.op("GlobalAveragePool", [x])])
    return g.model([("x", [1, 3, 224, 224])], [g.linear(x, 1280, 1000)])


def matmul(m, k, n):
    def build():
        g = Graph(7)
        return g.model([("a", [m, k])], [g.op("MatMul", ["a", g.weight([k, n])])])
    return build


def conv3x3(c, hw):
    def build():
        g = Graph(8)
        y = g.op("Conv", ["x", g.weight([c, c, 3, 3])], kernel_shape=[3, 3],
                 pads=[1, 1, 1, 1])
        return g.model([("x", [1, c, hw, hw])], [y])
    return build


def layer_norm():
    g = Graph(9)
    return g.model([("x", [1, 128, 768])], [g.layer_norm("x", 768)])


def softmax():
    g = Graph(10)
    return g.model([("x", [1, 12, 128, 128])], [g.op("Softmax", ["x"], axis=-1)])


def elementwise_chain():
    g = Graph(11)
    y = g.op("Add", ["x", g.weight([1024], 0.1)])
    y = g.op("Mul", [y, g.weight([1024], 1.0)])
    y = g.op("Tanh", [y])
    return g.model([("x", [1024, 1024])], [g.op("Relu", [y])])


def gelu_mlp(batch):
    """The feed-forward half of a transformer layer, 768 -> 3072 -> 768 with
    an Erf GELU: the contention benchmark's model (run.py --contention)."""
    def build():
        g = Graph(13)
        h = g.gelu(g.linear("x", 768, 3072))
        return g.model([("x", [batch, 768])], [g.linear(h, 3072, 768)])
    return build


# Exporter-shaped graphs: what torch.onnx.export writes for Hugging Face's
# BERT and GPT-2 (traced, static shapes, opset 17): integer token ids and an
# integer attention mask as inputs, embedding Gathers, sizes read back with
# Shape -> Gather -> Unsqueeze -> Concat before every Reshape, the mask turned
# into an additive bias, Linear as MatMul + Add (GPT-2's Conv1D as a Gemm on a
# flattened view), LayerNorm decomposed (older exports) or as one op.
VOCAB = 8000  # a smaller vocabulary than the real ones (30522, 50257)
I64 = TensorProto.INT64


def _size(g, t, *axes):
    """t.size(axis) for each axis, as 1-element int64 tensors (the
    Shape -> Gather -> Unsqueeze the exporter writes for each size used)."""
    shape = g.op("Shape", [t])
    return [g.op("Unsqueeze", [g.op("Gather", [shape, g.const(a)], axis=0),
                               g.const([0])]) for a in axes]


def _reshape_keep(g, t, keep, *tail):
    """t.view(*t.size()[:keep], *tail), written as the exporter writes it."""
    sizes = _size(g, t, *range(keep))
    target = g.op("Concat", sizes + [g.const([n]) for n in tail], axis=0)
    return g.op("Reshape", [t, target])


def _layer_norm_decomposed(g, x, width):
    """torch's LayerNorm as exported before opset 17."""
    mean = g.op("ReduceMean", [x], axes=[-1], keepdims=1)
    d = g.op("Sub", [x, mean])
    var = g.op("ReduceMean", [g.op("Pow", [d, g.const(np.float32(2), np.float32)])],
               axes=[-1], keepdims=1)
    std = g.op("Sqrt", [g.op("Add", [var, g.const(np.float32(1e-12), np.float32)])])
    y = g.op("Div", [d, std])
    return g.op("Add", [g.op("Mul", [y, g.weight([width], 0.1)]),
                        g.weight([width], 0.02)])


def _embedding(g, rows, width, indices):
    return g.op("Gather", [g.weight([rows, width], 0.05), indices], axis=0)


def bert_export(seq, width=768, heads=12):
    """BertModel's embeddings and one encoder layer."""
    def build():
        g = Graph(14)
        head = width // heads
        ids, mask = "input_ids", "attention_mask"
        # extended_attention_mask = (1.0 - mask[:, None, None, :]) * -10000.0
        m = g.op("Unsqueeze", [g.op("Unsqueeze", [mask, g.const([1])]), g.const([2])])
        m = g.op("Cast", [m], to=F32)
        m = g.op("Sub", [g.const(np.float32(1), np.float32), m])
        bias = g.op("Mul", [m, g.const(np.float32(-10000), np.float32)])
        # Embeddings: position ids and token types sliced from buffers.
        (length,) = _size(g, ids, 1)
        positions = g.op("Slice", [g.const(np.arange(512)[None]), g.const([0]), length,
                                   g.const([1])])
        types = g.op("Slice", [g.const(np.zeros((1, 512))), g.const([0]), length,
                               g.const([1])])
        types = g.op("Expand", [types, g.op("Concat", _size(g, ids, 0, 1), axis=0)])
        x = g.op("Add", [_embedding(g, VOCAB, width, ids),
                         _embedding(g, 2, width, types)])
        x = g.op("Add", [x, _embedding(g, 512, width, positions)])
        x = _layer_norm_decomposed(g, x, width)

        def heads_of(t):
            t = _reshape_keep(g, t, 2, heads, head)
            return g.op("Transpose", [t], perm=[0, 2, 1, 3])
        q, k, v = (heads_of(g.linear(x, width, width)) for _ in range(3))
        scores = g.op("MatMul", [q, g.op("Transpose", [k], perm=[0, 1, 3, 2])])
        scores = g.op("Div", [scores, g.const(np.float32(np.sqrt(head)), np.float32)])
        probs = g.op("Softmax", [g.op("Add", [scores, bias])], axis=-1)
        ctx = g.op("Transpose", [g.op("MatMul", [probs, v])], perm=[0, 2, 1, 3])
        ctx = _reshape_keep(g, ctx, 2, width)
        x = _layer_norm_decomposed(g, g.op("Add", [g.linear(ctx, width, width), x]),
                                   width)
        # x * 0.5 * (1.0 + erf(x / sqrt(2.0)))
        h = g.linear(x, width, 4 * width)
        erf = g.op("Erf", [g.op("Div", [h, g.const(np.float32(np.sqrt(2)), np.float32)])])
        h = g.op("Mul", [g.op("Mul", [h, g.op("Add", [erf, g.const(np.float32(1),
                                                                     np.float32)])]),
                         g.const(np.float32(0.5), np.float32)])
        y = _layer_norm_decomposed(g, g.op("Add", [g.linear(h, 4 * width, width), x]),
                                   width)
        return g.model([(ids, [1, seq], I64), (mask, [1, seq], I64)], [y])
    return build


def gpt2_export(seq, width=768, heads=12):
    """GPT2Model's embeddings, one block with its causal mask, and ln_f."""
    def build():
        g = Graph(15)
        head = width // heads
        ids, mask = "input_ids", "attention_mask"
        (length,) = _size(g, ids, 1)
        flat = g.op("Reshape", [ids, g.op("Concat", [g.const([-1]), length], axis=0)])
        # position_ids = arange(0, input_shape[-1]).unsqueeze(0)
        last = g.op("Gather", [g.op("Shape", [ids]), g.const(-1)], axis=0)
        positions = g.op("Unsqueeze", [g.op("Range", [g.const(0), last, g.const(1)]),
                                       g.const([0])])
        # (1.0 - mask[:, None, None, :]) * finfo(float32).min
        m = g.op("Reshape", [mask, g.op("Concat", _size(g, ids, 0) + [g.const([-1])],
                                        axis=0)])
        m = g.op("Unsqueeze", [g.op("Unsqueeze", [m, g.const([1])]), g.const([2])])
        m = g.op("Sub", [g.const(np.float32(1), np.float32), g.op("Cast", [m], to=F32)])
        lowest = g.const(np.finfo(np.float32).min, np.float32)
        bias = g.op("Mul", [m, lowest])
        x = g.op("Add", [_embedding(g, VOCAB, width, flat),
                         _embedding(g, 1024, width, positions)])

        def conv1d(t, fan_in, fan_out):
            # size_out = t.size()[:-1] + (nf,); addmm(b, t.view(-1, nf_in), w)
            sizes = _size(g, t, 0, 1)
            t2 = g.op("Reshape", [t, g.op("Concat", [g.const([-1])] + _size(g, t, -1),
                                          axis=0)])
            y = g.op("Gemm", [t2, g.weight([fan_in, fan_out]), g.weight([fan_out], 0.02)])
            return g.op("Reshape", [y, g.op("Concat", sizes + [g.const([fan_out])],
                                            axis=0)])

        def layer_norm(t):
            return g.op("LayerNormalization", [t, g.weight([width], 0.1),
                                               g.weight([width], 0.02)],
                        axis=-1, epsilon=1e-5)

        qkv = conv1d(layer_norm(x), width, 3 * width)
        q, k, v = g.op("Split", [qkv, g.const([width] * 3)], outputs=3, axis=2)
        q, k, v = (g.op("Transpose", [_reshape_keep(g, t, 2, heads, head)],
                        perm=[0, 2, 1, 3]) for t in (q, k, v))
        w = g.op("MatMul", [q, g.op("Transpose", [k], perm=[0, 1, 3, 2])])
        # attn_weights / full([], value.size(-1) ** 0.5)
        (depth,) = _size(g, v, 3)
        scale = g.op("Sqrt", [g.op("Cast", [depth], to=F32)])
        w = g.op("Div", [w, scale])
        # causal_mask = bias[:, :, key_length - query_length:key_length, :key_length]
        (q_len,) = _size(g, q, 2)
        (k_len,) = _size(g, k, 2)
        tril = g.const(np.tril(np.ones((1, 1, 1024, 1024), bool)), np.bool_)
        causal = g.op("Slice", [tril, g.op("Sub", [k_len, q_len]), k_len, g.const([2])])
        causal = g.op("Slice", [causal, g.const([0]), k_len, g.const([3])])
        w = g.op("Where", [causal, w, lowest])
        probs = g.op("Softmax", [g.op("Add", [w, bias])], axis=-1)
        ctx = g.op("Transpose", [g.op("MatMul", [probs, v])], perm=[0, 2, 1, 3])
        ctx = _reshape_keep(g, ctx, 2, width)
        x = g.op("Add", [conv1d(ctx, width, width), x])
        # gelu_new: 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
        h = conv1d(layer_norm(x), width, 4 * width)
        cube = g.op("Pow", [h, g.const(np.float32(3), np.float32)])
        inner = g.op("Add", [h, g.op("Mul", [g.const(np.float32(0.044715), np.float32),
                                             cube])])
        inner = g.op("Mul", [g.const(np.float32(np.sqrt(2 / np.pi)), np.float32), inner])
        t = g.op("Add", [g.const(np.float32(1), np.float32), g.op("Tanh", [inner])])
        h = g.op("Mul", [g.op("Mul", [g.const(np.float32(0.5), np.float32), h]), t])
        x = g.op("Add", [x, conv1d(h, 4 * width, width)])
        y = _reshape_keep(g, layer_norm(x), 2, width)
        return g.model([(ids, [1, seq], I64), (mask, [1, seq], I64)], [y])
    return build


def _subgraph(g, name, build, outputs, inputs=()):
    """A subgraph of g for If and Loop: `build()` adds nodes to g (they go
    to the subgraph; its weights stay initializers of the main graph, read
    from the outer scope) and returns the output names; `outputs` and
    `inputs` are (shape, element type) pairs and (name, shape, element type)
    triples (a Loop body's)."""
    outer, g.nodes = g.nodes, []
    try:
        names = build()
        body = g.nodes
    finally:
        g.nodes = outer
    return helper.make_graph(
        body, name,
        [helper.make_tensor_value_info(n, t, s) for n, s, t in inputs],
        [helper.make_tensor_value_info(n, t, s) for n, (s, t) in zip(names, outputs)])


def audio_control_flow(samples=16000, hidden=128):
    """A speech front end shaped like the audio model that once took 6-8
    minutes to compile: a strided 1-D convolution over raw samples (258
    filters of 256 taps, stride 128), two LSTM layers, then an If on the signal's
    energy whose branches hold a GRU and a nested If, or a Loop of a
    recurrent tanh cell; mean over time and a classifier."""
    def build():
        g = Graph(15)
        x = "audio"
        frames = (samples - 256) // 128 + 1
        y = g.op("Conv", [x, g.weight([258, 1, 256]), g.weight([258], 0.02)],
                 kernel_shape=[256], strides=[128])
        y = g.op("Transpose", [y], perm=[2, 0, 1])          # frames x 1 x 258
        gates = 4 * hidden
        # Two stacked LSTM layers.
        y = g.op("LSTM", [y, g.weight([1, gates, 258]), g.weight([1, gates, hidden]),
                          g.weight([1, 2 * gates], 0.02)], hidden_size=hidden)
        y = g.op("Squeeze", [y, g.const([1])])
        y_all = g.op("LSTM", [y, g.weight([1, gates, hidden]),
                              g.weight([1, gates, hidden]),
                              g.weight([1, 2 * gates], 0.02)], hidden_size=hidden)
        y_all = g.op("Squeeze", [y_all, g.const([1])])      # frames x 1 x hidden
        state = ([frames, 1, hidden], F32)
        energy = g.op("ReduceMean", [g.op("Mul", [x, x])], keepdims=0)
        loud = g.op("Greater", [energy, g.const(np.float32(0.5), np.float32)])

        def gru_branch():
            z = g.op("GRU", [y_all, g.weight([1, 3 * hidden, hidden]),
                             g.weight([1, 3 * hidden, hidden]),
                             g.weight([1, 6 * hidden], 0.02)],
                     hidden_size=hidden, linear_before_reset=1)
            z = g.op("Squeeze", [z, g.const([1])])
            peak = g.op("ReduceMax", [z], keepdims=0)
            high = g.op("Greater", [peak, g.const(np.float32(0.5), np.float32)])
            inner_then = _subgraph(g, "peaky", lambda: [g.op("Relu", [z])], [state])
            inner_else = _subgraph(g, "flat", lambda: [g.op("Tanh", [z])], [state])
            return [g.op("If", [high], then_branch=inner_then, else_branch=inner_else)]

        def loop_branch():
            w, b = g.weight([hidden, hidden]), g.weight([hidden], 0.02)
            it, cond_in, h_in = g.name("i"), g.name("cond"), g.name("h")

            def body():
                h_out = g.op("Tanh", [g.op("Add", [g.op("MatMul", [h_in, w]), b])])
                return [g.op("Identity", [cond_in]), h_out]
            body_graph = _subgraph(g, "cell", body, [([], TensorProto.BOOL), state],
                                   [(it, [], I64), (cond_in, [], TensorProto.BOOL),
                                    (h_in, state[0], F32)])
            return [g.op("Loop", [g.const(4), g.const(True, np.bool_), y_all],
                         body=body_graph)]

        z = g.op("If", [loud], then_branch=_subgraph(g, "loud", gru_branch, [state]),
                 else_branch=_subgraph(g, "quiet", loop_branch, [state]))
        pooled = g.op("ReduceMean", [z], axes=[0], keepdims=0)   # 1 x hidden
        return g.model([(x, [1, 1, samples])], [g.linear(pooled, hidden, 10)])
    return build


def make_feeds(model, rng):
    """Inputs for a model of this set: floats from a normal distribution;
    integer token ids below VOCAB; integer attention masks of ones with the
    last eighth padding (zeros)."""
    inits = {i.name for i in model.graph.initializer}
    feeds = {}
    for value in model.graph.input:
        if value.name in inits:
            continue
        tensor = value.type.tensor_type
        shape = [d.dim_value for d in tensor.shape.dim]
        if tensor.elem_type == F32:
            feeds[value.name] = rng.standard_normal(shape).astype(np.float32)
        elif value.name.endswith("mask"):
            mask = np.ones(shape, np.int64)
            mask[..., shape[-1] - shape[-1] // 8:] = 0
            feeds[value.name] = mask
        else:
            feeds[value.name] = rng.integers(0, VOCAB, shape).astype(np.int64)
    return feeds


def _gemm_flops(m, k, n):
    return 2 * m * k * n


WHOLE, MICRO = "whole", "micro"

# name: (builder, group, flops or None). The group says whether a row counts
# towards the whole-model or the micro-benchmark geomean; flops (GEMMs only)
# give GFLOP/s and the percentage of peak.
MODELS = {
    "mlp_b1": (mlp(1), WHOLE, None),
    "mlp_b64": (mlp(64), WHOLE, None),
    "bert_layer_s128": (bert_layer, WHOLE, None),
    "gpt2_block_prefill_s128": (gpt2_prefill, WHOLE, None),
    "gpt2_block_decode": (gpt2_decode, WHOLE, None),
    "resnet50": (resnet50, WHOLE, None),
    "mobilenet_v2": (mobilenet_v2, WHOLE, None),
    "vit_b16_block": (vit_block, WHOLE, None),
    "bert_export_s128": (bert_export(128), WHOLE, None),
    "gpt2_export_s128": (gpt2_export(128), WHOLE, None),
    "audio_control_flow": (audio_control_flow(), WHOLE, None),
    "matmul_1024": (matmul(1024, 1024, 1024), MICRO, _gemm_flops(1024, 1024, 1024)),
    "matvec_4096": (matmul(1, 4096, 4096), MICRO, _gemm_flops(1, 4096, 4096)),
    "gemm_128x768x3072": (matmul(128, 768, 3072), MICRO, _gemm_flops(128, 768, 3072)),
    "gemm_16x4096x1024": (matmul(16, 4096, 1024), MICRO, _gemm_flops(16, 4096, 1024)),
    "gelu_mlp_b8": (gelu_mlp(8), MICRO, None),
    "conv3x3_64x56": (conv3x3(64, 56), MICRO, None),
    "conv3x3_128x28": (conv3x3(128, 28), MICRO, None),
    "conv3x3_256x14": (conv3x3(256, 14), MICRO, None),
    "conv3x3_512x7": (conv3x3(512, 7), MICRO, None),
    "layer_norm_128x768": (layer_norm, MICRO, None),
    "softmax_12x128x128": (softmax, MICRO, None),
    "elementwise_chain_1m": (elementwise_chain, MICRO, None),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out_dir", nargs="?")
    parser.add_argument("--models", default="")
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args()
    if args.list:
        print("\n".join(f"{name} {MODELS[name][1]}" for name in MODELS))
        return 0
    if not args.out_dir:
        parser.error("OUT_DIR is required (or --list)")
    names = [n for n in args.models.split(",") if n] or list(MODELS)
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        print(f"models.py: error: unknown model(s): {', '.join(unknown)}; "
              f"known: {', '.join(MODELS)}", file=sys.stderr)
        return 1
    out = pathlib.Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        path = out / f"{name}.onnx"
        if path.exists():
            continue
        model = MODELS[name][0]()
        onnx.checker.check_model(model)
        onnx.save(model, path)
        print(f"models.py: wrote {path}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
