#!/usr/bin/env python3
"""Rebuild an ONNX CNN as a Keras (NHWC) model from the same weights, and convert it to LiteRT.

This is the LiteRT side of the peer benchmark: TFLite fp32 and full-integer int8 models built
from our ONNX exports without any third-party converter. The graph is walked node by node in
ONNX order and every node becomes a Keras layer with the ONNX weights copied in:

  * layout: activations are NCHW in ONNX and NHWC in Keras (batch 1, fixed spatial size);
    axis arguments (Concat, Slice, Shape) are remapped, Flatten of a tensor with spatial size
    > 1 transposes back to NCHW first so that Gemm weights apply unchanged;
  * Conv: pads become an explicit ZeroPadding2D followed by a 'valid' convolution (ONNX /
    PyTorch pad symmetrically, Keras 'same' pads the extra row at the bottom at stride 2);
    group == 1, depthwise (group == C_in) and grouped convolutions are supported;
  * BatchNormalization directly after a Conv (whose output has no other consumer) is folded
    into that Conv in numpy; any other BatchNormalization is a per-channel affine x * s + t;
  * MaxPool pads with -inf (zero padding only when the input is known to be non-negative);
    AveragePool honours count_include_pad and is emitted as a MEAN (window = whole input) or a
    depthwise convolution with weights 1/(kh*kw), because LiteRT's XNNPACK delegate does not take
    int8 AVERAGE_POOL_2D (see op_AveragePool);
  * shape arithmetic (Shape, Gather, Slice, Squeeze, Unsqueeze, Sub, Neg, Concat, ... as in
    BagNet's residual crop) is evaluated in numpy at the fixed input size, so a Slice on an
    activation becomes a static crop.

Library:  build_keras(onnx_path) -> keras.Model;  to_tflite(model, calibration_nhwc) -> bytes.

CLI (from the repository root, in the benchmark venv, see tools/requirements-bench.txt):

    .venv-bench/bin/python tools/onnx_to_keras.py models/resnet18.onnx \\
        --calibration models/calibration_500.npy --samples 100 --out-dir out/litert

writes out/litert/resnet18.fp32.tflite and out/litert/resnet18.int8.tflite and prints the float
match of Keras and of the fp32 .tflite against onnxruntime (max|a-b| / max|b| over a few
calibration samples; Keras must be < 1e-4 or the script exits non-zero) and the top-1 agreement
of the int8 .tflite with onnxruntime float on all the calibration samples used.
CALIB.npy is NCHW float32 [N, C, H, W], already normalised like the model's input.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's C++ start-up chatter out
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

FLOAT_MATCH_BAR = 1e-4  # max relative error of the Keras rebuild vs onnxruntime
NCHW_TO_NHWC_AXIS = {0: 0, 1: 3, 2: 1, 3: 2}


# --------------------------------------------------------------------------- helpers

def _attrs(node: onnx.NodeProto) -> dict:
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _pads_2d(node: onnx.NodeProto, attrs: dict, in_hw: tuple[int, int], kernel: tuple[int, int],
             strides: tuple[int, int], dilations: tuple[int, int]) -> tuple[tuple[int, int], tuple[int, int]]:
    """((top, bottom), (left, right)) from ONNX pads [t, l, b, r] or auto_pad."""
    auto_pad = attrs.get("auto_pad", b"NOTSET")
    auto_pad = auto_pad.decode() if isinstance(auto_pad, bytes) else auto_pad
    if auto_pad in ("NOTSET", "VALID"):
        p = list(attrs.get("pads", [0, 0, 0, 0])) if auto_pad == "NOTSET" else [0, 0, 0, 0]
        return (p[0], p[2]), (p[1], p[3])
    if auto_pad not in ("SAME_UPPER", "SAME_LOWER"):
        raise NotImplementedError(f"{node.name}: auto_pad={auto_pad}")
    out = []
    for size, k, s, d in zip(in_hw, kernel, strides, dilations):
        total = max((-(-size // s) - 1) * s + (k - 1) * d + 1 - size, 0)
        small, big = total // 2, total - total // 2
        out.append((small, big) if auto_pad == "SAME_UPPER" else (big, small))
    return out[0], out[1]


def _tf_same_pads(in_hw, kernel, strides) -> tuple[tuple[int, int], tuple[int, int]]:
    """The padding TensorFlow's 'same' uses (extra row/column at the bottom/right)."""
    out = []
    for size, k, s in zip(in_hw, kernel, strides):
        total = max((-(-size // s) - 1) * s + k - size, 0)
        out.append((total // 2, total - total // 2))
    return out[0], out[1]


def _nchw_shape(t) -> list[int]:
    """Static ONNX-order shape of a Keras tensor (NHWC 4-D is reported as NCHW)."""
    shape = [int(d) for d in t.shape]
    if len(shape) == 4:
        n, h, w, c = shape
        return [n, c, h, w]
    return shape


def _to_nhwc_const(value: np.ndarray) -> np.ndarray:
    """An ONNX constant broadcast against a 4-D NCHW activation, rearranged for NHWC."""
    v = np.asarray(value, np.float32)
    if v.ndim == 4:
        return v.transpose(0, 2, 3, 1)
    if v.ndim == 3:  # [C, H, W]
        return v.transpose(1, 2, 0)
    if v.size == 1:
        return v.reshape(())
    raise NotImplementedError(f"constant of shape {v.shape} broadcast against NCHW")


class ChannelAffine(keras.layers.Layer):
    """y = x * scale + offset along the last (channel) axis: an unfused BatchNormalization."""

    def __init__(self, scale: np.ndarray, offset: np.ndarray, **kwargs):
        super().__init__(**kwargs)
        self._scale_init, self._offset_init = scale.astype(np.float32), offset.astype(np.float32)

    def build(self, input_shape):
        c = self._scale_init.shape[0]
        self.scale = self.add_weight(shape=(c,), initializer=keras.initializers.Constant(self._scale_init),
                                     trainable=False, name="scale")
        self.offset = self.add_weight(shape=(c,), initializer=keras.initializers.Constant(self._offset_init),
                                      trainable=False, name="offset")

    def call(self, x):
        return x * self.scale + self.offset


# --------------------------------------------------------------------------- graph walk

def _bn_params(consts: dict, node: onnx.NodeProto) -> tuple[np.ndarray, np.ndarray]:
    """BatchNormalization (inference) as y = x * scale + offset, per channel."""
    gamma, beta, mean, var = (consts[n].astype(np.float64) for n in node.input[1:5])
    eps = _attrs(node).get("epsilon", 1e-5)
    scale = gamma / np.sqrt(var + eps)
    return scale, beta - mean * scale


def _foldable_bns(graph: onnx.GraphProto, consts: dict) -> dict[str, onnx.NodeProto]:
    """Conv output name -> the BatchNormalization to fold into that Conv.

    A BN is folded when its input is produced by a Conv whose output feeds nothing else and is
    not a graph output; pre-activation BNs (DenseNet: after Concat / pooling) stay separate.
    """
    consumers: dict[str, int] = {}
    for n in graph.node:
        for i in n.input:
            consumers[i] = consumers.get(i, 0) + 1
    producers = {o: n for n in graph.node for o in n.output}
    outputs = {o.name for o in graph.output}
    folds = {}
    for n in graph.node:
        if n.op_type != "BatchNormalization":
            continue
        src = producers.get(n.input[0])
        if (src is not None and src.op_type == "Conv" and consumers[n.input[0]] == 1
                and n.input[0] not in outputs and all(i in consts for i in n.input[1:5])):
            folds[n.input[0]] = n
    return folds


class _Builder:
    """Walks the ONNX graph in order; every value is a numpy constant or a Keras tensor."""

    def __init__(self, model: onnx.ModelProto):
        self.graph = model.graph
        self.consts: dict[str, np.ndarray] = {t.name: numpy_helper.to_array(t) for t in self.graph.initializer}
        for n in self.graph.node:  # Constant nodes are known before the walk (needed by BN folding)
            if n.op_type == "Constant":
                self.consts[n.output[0]] = self._constant_value(n)
        self.acts: dict = {}          # name -> Keras tensor (NHWC for 4-D)
        self.nonneg: set[str] = set()  # activations known to be >= 0 (after ReLU, ...)
        self.folds = _foldable_bns(self.graph, self.consts)  # Conv output -> BN folded into it

    # ----- values

    @staticmethod
    def _constant_value(node: onnx.NodeProto) -> np.ndarray:
        a = _attrs(node)
        if "value" in a:
            return numpy_helper.to_array(a["value"])
        for key in ("value_float", "value_int"):
            if key in a:
                return np.array(a[key])
        for key in ("value_floats", "value_ints"):
            if key in a:
                return np.array(a[key])
        raise NotImplementedError(f"Constant {node.name}: {list(a)}")

    def is_const(self, name: str) -> bool:
        return name in self.consts

    def const(self, name: str) -> np.ndarray:
        return self.consts[name]

    def act(self, name: str):
        if name not in self.acts:
            raise NotImplementedError(f"value {name!r} is neither a constant nor an activation")
        return self.acts[name]

    def set_act(self, name: str, tensor, nonneg: bool = False) -> None:
        self.acts[name] = tensor
        if nonneg:
            self.nonneg.add(name)

    # ----- walk

    def build(self) -> keras.Model:
        inputs = [i for i in self.graph.input if i.name not in self.consts]
        if len(inputs) != 1:
            raise NotImplementedError(f"{len(inputs)} graph inputs")
        dims = [d.dim_value for d in inputs[0].type.tensor_type.shape.dim]
        if len(dims) != 4 or not all(dims[1:]):
            raise NotImplementedError(f"input shape {dims}: need [N, C, H, W] with static C, H, W")
        _, c, h, w = dims
        x = keras.Input(shape=(h, w, c), batch_size=1, name="input_nhwc")
        self.set_act(inputs[0].name, x)
        for node in self.graph.node:
            self.node(node)
        outs = [self.act(o.name) for o in self.graph.output]
        return keras.Model(x, outs[0] if len(outs) == 1 else outs)

    def node(self, node: onnx.NodeProto) -> None:
        op = node.op_type
        if op == "Constant":
            return
        if all(self.is_const(i) for i in node.input if i) and op in _STATIC_OPS:
            self.consts[node.output[0]] = np.asarray(_STATIC_OPS[op](self, node))
            return
        if op == "Shape":
            return self.shape(node)
        handler = getattr(self, "op_" + op, None)
        if handler is None:
            raise NotImplementedError(f"ONNX op {op} (node {node.name}) on activations")
        handler(node)

    # ----- static shape arithmetic

    def shape(self, node: onnx.NodeProto) -> None:
        a = _attrs(node)
        shape = np.array(_nchw_shape(self.act(node.input[0])), np.int64)
        self.consts[node.output[0]] = shape[a.get("start", 0):a.get("end", len(shape))]

    # ----- activation ops

    def op_Identity(self, node):
        if self.is_const(node.input[0]):
            self.consts[node.output[0]] = self.const(node.input[0])
        else:
            self.set_act(node.output[0], self.act(node.input[0]), node.input[0] in self.nonneg)

    def op_Conv(self, node):
        a = _attrs(node)
        x = self.act(node.input[0])
        w = self.const(node.input[1]).astype(np.float64)
        b = (self.const(node.input[2]).astype(np.float64) if len(node.input) > 2 and node.input[2]
             else np.zeros(w.shape[0]))
        if w.ndim != 4:
            raise NotImplementedError(f"{node.name}: {w.ndim - 2}-D convolution")
        bn = self.folds.get(node.output[0])
        if bn is not None:  # fold: w' = w * s (per output channel), b' = b * s + t
            s, t = _bn_params(self.consts, bn)
            w, b = w * s[:, None, None, None], b * s + t
        out_c, in_per_group, kh, kw = w.shape
        group = a.get("group", 1)
        strides = tuple(a.get("strides", [1, 1]))
        dil = tuple(a.get("dilations", [1, 1]))
        in_c = int(x.shape[-1])
        pads = _pads_2d(node, a, (int(x.shape[1]), int(x.shape[2])), (kh, kw), strides, dil)
        if any(pads[0]) or any(pads[1]):
            x = keras.layers.ZeroPadding2D(pads)(x)
        # Keras refuses strides > 1 together with dilations > 1: convolve at stride 1, subsample after
        subsample = strides if strides != (1, 1) and dil != (1, 1) else None
        if subsample:
            strides = (1, 1)
        if group == 1:
            layer = keras.layers.Conv2D(out_c, (kh, kw), strides=strides, dilation_rate=dil, padding="valid")
            kernel = w.transpose(2, 3, 1, 0)  # [O, I, kh, kw] -> [kh, kw, I, O]
        elif group == in_c and in_per_group == 1:
            # depthwise: ONNX output channel c * mult + m reads input channel c
            mult = out_c // in_c
            layer = keras.layers.DepthwiseConv2D((kh, kw), strides=strides, dilation_rate=dil,
                                                 depth_multiplier=mult, padding="valid")
            kernel = w.reshape(in_c, mult, kh, kw).transpose(2, 3, 0, 1)  # -> [kh, kw, C, mult]
        else:
            # grouped: both ONNX and Keras split input and output channels into contiguous groups
            layer = keras.layers.Conv2D(out_c, (kh, kw), strides=strides, dilation_rate=dil,
                                        groups=group, padding="valid")
            kernel = w.transpose(2, 3, 1, 0)  # [O, I/g, kh, kw] -> [kh, kw, I/g, O]
        y = layer(x)
        layer.set_weights([kernel.astype(np.float32), b.astype(np.float32)])
        if subsample:
            y = y[:, ::subsample[0], ::subsample[1], :]
        self.set_act(node.output[0], y)

    def op_BatchNormalization(self, node):
        if self.folds.get(node.input[0]) is node:
            self.set_act(node.output[0], self.act(node.input[0]))  # already folded into the Conv
            return
        s, t = _bn_params(self.consts, node)
        self.set_act(node.output[0], ChannelAffine(s, t)(self.act(node.input[0])))

    def op_Relu(self, node):
        self.set_act(node.output[0], keras.layers.ReLU()(self.act(node.input[0])), nonneg=True)

    def op_Clip(self, node):
        a = _attrs(node)
        lo = a.get("min", -np.inf)
        hi = a.get("max", np.inf)
        if len(node.input) > 1 and node.input[1]:
            lo = float(self.const(node.input[1]))
        if len(node.input) > 2 and node.input[2]:
            hi = float(self.const(node.input[2]))
        x = self.act(node.input[0])
        if lo == 0.0:
            y = keras.layers.ReLU(max_value=None if np.isinf(hi) else hi)(x)  # ReLU / ReLU6 in TFLite
        else:
            y = keras.ops.clip(x, lo, hi)
        self.set_act(node.output[0], y, nonneg=lo >= 0.0)

    def op_Add(self, node):
        a, b = node.input
        if self.is_const(a) or self.is_const(b):
            act, const = (b, a) if self.is_const(a) else (a, b)
            x = self.act(act)
            c = _to_nhwc_const(self.const(const)) if len(x.shape) == 4 else self.const(const).astype(np.float32)
            self.set_act(node.output[0], keras.ops.add(x, c),
                         act in self.nonneg and bool(np.all(self.const(const) >= 0)))
            return
        y = keras.layers.Add()([self.act(a), self.act(b)])
        self.set_act(node.output[0], y, a in self.nonneg and b in self.nonneg)

    def op_Concat(self, node):
        xs = [self.act(i) for i in node.input]
        axis = _attrs(node)["axis"]
        rank = len(xs[0].shape)
        axis = axis % rank
        if rank == 4:
            axis = NCHW_TO_NHWC_AXIS[axis]
        y = keras.layers.Concatenate(axis=axis)(xs)
        self.set_act(node.output[0], y, all(i in self.nonneg for i in node.input))

    def _pool_geometry(self, node, x):
        a = _attrs(node)
        if a.get("ceil_mode", 0):
            raise NotImplementedError(f"{node.name}: ceil_mode=1")
        kernel = tuple(a["kernel_shape"])
        strides = tuple(a.get("strides", [1, 1]))
        dil = tuple(a.get("dilations", [1, 1]))
        if dil != (1, 1):
            raise NotImplementedError(f"{node.name}: dilated pooling")
        in_hw = (int(x.shape[1]), int(x.shape[2]))
        return a, kernel, strides, in_hw, _pads_2d(node, a, in_hw, kernel, strides, dil)

    def op_MaxPool(self, node):
        if len(node.output) > 1 and node.output[1]:
            raise NotImplementedError(f"{node.name}: MaxPool indices output")
        x = self.act(node.input[0])
        _, kernel, strides, in_hw, pads = self._pool_geometry(node, x)
        nonneg = node.input[0] in self.nonneg
        padding = "valid"
        if not (any(pads[0]) or any(pads[1])):
            pass
        elif nonneg:
            # input >= 0 and every window holds at least one real element: a zero pad never wins
            x = keras.layers.ZeroPadding2D(pads)(x)
        elif pads == _tf_same_pads(in_hw, kernel, strides):
            padding = "same"  # TF's 'same' max pooling ignores the padded positions
        else:
            # ONNX MaxPool pads with -inf. Correct in float; an int8 calibration would see the -inf.
            (t, b), (l, r) = pads
            x = keras.ops.pad(x, [[0, 0], [t, b], [l, r], [0, 0]], constant_values=-np.inf)
        y = keras.layers.MaxPooling2D(kernel, strides=strides, padding=padding)(x)
        self.set_act(node.output[0], y, nonneg)

    def op_AveragePool(self, node):
        # LiteRT's XNNPACK delegate takes AVERAGE_POOL_2D in float32 only: an int8 one stays on the
        # TFLite reference kernels and splits the graph into several delegate partitions. So no
        # AveragePooling2D is emitted: a window covering the whole (unpadded) input is a MEAN
        # (GlobalAveragePooling2D), any other window a depthwise convolution with weights
        # 1 / (kh * kw) (exact in int8 too: per-channel symmetric weight scale, every weight 127).
        x = self.act(node.input[0])
        a, kernel, strides, in_hw, pads = self._pool_geometry(node, x)
        padded = any(pads[0]) or any(pads[1])
        nonneg = node.input[0] in self.nonneg
        if not padded and kernel == in_hw:
            y = keras.layers.GlobalAveragePooling2D(keepdims=True)(x)
            self.set_act(node.output[0], y, nonneg)
            return
        if padded:
            x = keras.layers.ZeroPadding2D(pads)(x)
        y = self._window_mean(x, kernel, strides)
        if padded and not a.get("count_include_pad", 0):
            # count_include_pad=0: rescale each output by window size / number of real elements
            ones = np.pad(np.ones(in_hw, np.float32), pads)
            oh, ow = int(y.shape[1]), int(y.shape[2])
            count = np.array([[ones[i * strides[0]:i * strides[0] + kernel[0],
                                    j * strides[1]:j * strides[1] + kernel[1]].sum()
                               for j in range(ow)] for i in range(oh)], np.float32)
            y = keras.ops.multiply(y, (kernel[0] * kernel[1] / count)[None, :, :, None])
        # (count_include_pad=1: the padded zeros count in the divisor, which the zero pad gives as is)
        self.set_act(node.output[0], y, nonneg)

    @staticmethod
    def _window_mean(x, kernel, strides):
        """'valid' average pooling as a depthwise convolution with constant weights 1 / (kh * kw)."""
        c = int(x.shape[-1])
        layer = keras.layers.DepthwiseConv2D(kernel, strides=strides, padding="valid", use_bias=False)
        y = layer(x)
        layer.set_weights([np.full((kernel[0], kernel[1], c, 1), 1.0 / (kernel[0] * kernel[1]), np.float32)])
        return y

    def op_GlobalAveragePool(self, node):
        y = keras.layers.GlobalAveragePooling2D(keepdims=True)(self.act(node.input[0]))
        self.set_act(node.output[0], y, node.input[0] in self.nonneg)

    def _flatten_nchw(self, x):
        """NCHW-order flatten of an NHWC tensor (plain Flatten when the spatial size is 1x1)."""
        if len(x.shape) == 4 and int(x.shape[1]) * int(x.shape[2]) > 1:
            x = keras.layers.Permute((3, 1, 2))(x)  # NHWC -> NCHW, so Gemm weights apply as-is
        return keras.layers.Flatten()(x) if len(x.shape) > 2 else x

    def op_Flatten(self, node):
        if _attrs(node).get("axis", 1) != 1:
            raise NotImplementedError(f"{node.name}: Flatten axis != 1")
        self.set_act(node.output[0], self._flatten_nchw(self.act(node.input[0])), node.input[0] in self.nonneg)

    def op_Reshape(self, node):
        x = self.act(node.input[0])
        target = [int(v) for v in self.const(node.input[1])]
        shape = _nchw_shape(x)
        if _attrs(node).get("allowzero", 0) == 0:
            target = [shape[i] if v == 0 else v for i, v in enumerate(target)]
        total = int(np.prod(shape))
        if len(target) == 2 and target[0] == shape[0] and target[1] in (-1, total // shape[0]):
            self.set_act(node.output[0], self._flatten_nchw(x), node.input[0] in self.nonneg)
            return
        raise NotImplementedError(f"{node.name}: Reshape {shape} -> {target} (only flatten to [N, -1])")

    def op_Gemm(self, node):
        a = _attrs(node)
        if a.get("transA", 0):
            raise NotImplementedError(f"{node.name}: Gemm transA=1")
        x = self.act(node.input[0])
        w = self.const(node.input[1]).astype(np.float64)
        kernel = (w.T if a.get("transB", 0) else w) * a.get("alpha", 1.0)  # Dense kernel is [K, N]
        bias = np.zeros(kernel.shape[1])
        if len(node.input) > 2 and node.input[2]:
            bias = np.broadcast_to(self.const(node.input[2]).astype(np.float64) * a.get("beta", 1.0),
                                   (kernel.shape[1],))
        layer = keras.layers.Dense(kernel.shape[1])
        y = layer(x)
        layer.set_weights([kernel.astype(np.float32), bias.astype(np.float32)])
        self.set_act(node.output[0], y)

    def op_Slice(self, node):
        x = self.act(node.input[0])
        shape = _nchw_shape(x)
        starts, ends = self.const(node.input[1]), self.const(node.input[2])
        axes = self.const(node.input[3]) if len(node.input) > 3 and node.input[3] else np.arange(len(starts))
        steps = self.const(node.input[4]) if len(node.input) > 4 and node.input[4] else np.ones(len(starts))
        ranges = [range(d) for d in shape]  # per NCHW axis: the kept indices
        for s, e, ax, st in zip(starts, ends, axes, steps):
            ax = int(ax) % len(shape)
            ranges[ax] = ranges[ax][slice(int(s), int(e), int(st))]  # ONNX clamping == Python's
        if len(shape) != 4:
            raise NotImplementedError(f"{node.name}: Slice on a {len(shape)}-D activation")
        if ranges[0] != range(shape[0]) or ranges[1] != range(shape[1]):
            raise NotImplementedError(f"{node.name}: Slice on batch or channel axis")
        rh, rw = ranges[2], ranges[3]
        if rh.step != 1 or rw.step != 1:
            raise NotImplementedError(f"{node.name}: strided Slice")
        crop = ((rh.start, shape[2] - rh.stop), (rw.start, shape[3] - rw.stop))  # static crop
        y = keras.layers.Cropping2D(crop)(x) if any(crop[0]) or any(crop[1]) else x
        self.set_act(node.output[0], y, node.input[0] in self.nonneg)


def _static_slice(b: _Builder, n):
    x = b.const(n.input[0])
    starts, ends = b.const(n.input[1]), b.const(n.input[2])
    axes = b.const(n.input[3]) if len(n.input) > 3 and n.input[3] else range(len(starts))
    steps = b.const(n.input[4]) if len(n.input) > 4 and n.input[4] else [1] * len(starts)
    idx = [slice(None)] * x.ndim
    for s, e, ax, st in zip(starts, ends, axes, steps):
        idx[int(ax) % x.ndim] = slice(int(s), int(e), int(st))
    return x[tuple(idx)]


def _axes(b: _Builder, n):
    if len(n.input) > 1 and n.input[1]:
        return tuple(int(v) for v in b.const(n.input[1]))
    return tuple(_attrs(n).get("axes", ()))


def _unsqueeze(b: _Builder, n):
    x = b.const(n.input[0])
    axes = sorted(a % (x.ndim + len(_axes(b, n))) for a in _axes(b, n))
    for a in axes:
        x = np.expand_dims(x, a)
    return x


# numpy evaluation of ops whose inputs are all constants (shape arithmetic)
_STATIC_OPS = {
    "Identity": lambda b, n: b.const(n.input[0]),
    "Gather": lambda b, n: np.take(b.const(n.input[0]), b.const(n.input[1]), axis=_attrs(n).get("axis", 0)),
    "Slice": _static_slice,
    "Squeeze": lambda b, n: (np.squeeze(b.const(n.input[0]), axis=_axes(b, n)) if _axes(b, n)
                             else np.squeeze(b.const(n.input[0]))),
    "Unsqueeze": _unsqueeze,
    "Concat": lambda b, n: np.concatenate([np.atleast_1d(b.const(i)) for i in n.input], axis=_attrs(n)["axis"]),
    "Add": lambda b, n: b.const(n.input[0]) + b.const(n.input[1]),
    "Sub": lambda b, n: b.const(n.input[0]) - b.const(n.input[1]),
    "Mul": lambda b, n: b.const(n.input[0]) * b.const(n.input[1]),
    "Div": lambda b, n: (b.const(n.input[0]) // b.const(n.input[1])
                         if np.issubdtype(b.const(n.input[0]).dtype, np.integer)
                         else b.const(n.input[0]) / b.const(n.input[1])),
    "Neg": lambda b, n: -b.const(n.input[0]),
    "Cast": lambda b, n: b.const(n.input[0]).astype(helper.tensor_dtype_to_np_dtype(_attrs(n)["to"])),
    "Reshape": lambda b, n: b.const(n.input[0]).reshape([int(v) for v in b.const(n.input[1])]),
}


# --------------------------------------------------------------------------- public API

def build_keras(onnx_path: str) -> keras.Model:
    """Keras model equivalent to the ONNX model: input NHWC float [1, H, W, C], same output."""
    keras.utils.set_random_seed(0)  # initial weights are all overwritten; seeded anyway
    return _Builder(onnx.load(onnx_path)).build()


def to_tflite(keras_model: keras.Model, calibration_nhwc: np.ndarray | None) -> bytes:
    """TFLite flatbuffer: fp32 without calibration data, full-integer int8 with it.

    int8: every op int8 (TFLITE_BUILTINS_INT8), calibrated on calibration_nhwc ([N, H, W, C]
    float32, one sample per representative_dataset step); the model input and output stay float32
    (a QUANTIZE op in front and a DEQUANTIZE op at the end), the same interface as an ORT QDQ model.
    """
    converter = tf.lite.TFLiteConverter.from_keras_model(keras_model)
    if calibration_nhwc is not None:
        samples = np.asarray(calibration_nhwc, np.float32)

        def representative_dataset():
            for s in samples:
                yield [s[None]]

        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = representative_dataset
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.float32
        converter.inference_output_type = tf.float32
    with contextlib.redirect_stdout(io.StringIO()):  # Keras' "Saved artifact at ..." listing
        return converter.convert()


# --------------------------------------------------------------------------- CLI

def _ort_outputs(onnx_path: str, x_nchw: np.ndarray) -> np.ndarray:
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.log_severity_level = 3
    sess = ort.InferenceSession(onnx_path, so, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    return np.concatenate([sess.run(None, {name: x_nchw[i:i + 1]})[0] for i in range(len(x_nchw))])


def _litert_outputs(tflite_path: str, x_nhwc: np.ndarray) -> np.ndarray:
    from ai_edge_litert.interpreter import Interpreter
    interp = Interpreter(model_path=tflite_path, num_threads=1)
    interp.allocate_tensors()
    inp, out = interp.get_input_details()[0]["index"], interp.get_output_details()[0]["index"]
    ys = []
    for s in x_nhwc:
        interp.set_tensor(inp, s[None])
        interp.invoke()
        ys.append(interp.get_tensor(out).copy())
    return np.concatenate(ys)


def max_rel_err(a: np.ndarray, ref: np.ndarray) -> float:
    """max|a - ref| / max|ref| over all elements."""
    return float(np.max(np.abs(a - ref)) / np.max(np.abs(ref)))


def main() -> int:
    ap = argparse.ArgumentParser(description="ONNX -> Keras (NHWC) -> TFLite fp32 and int8.")
    ap.add_argument("model", help="ONNX model with one NCHW input [N, C, H, W]")
    ap.add_argument("--calibration", required=True, help="NCHW float32 .npy [N, C, H, W], normalised")
    ap.add_argument("--samples", type=int, default=100, help="use the first N calibration samples (default 100)")
    ap.add_argument("--check-samples", type=int, default=8, help="samples for the float match (default 8)")
    ap.add_argument("--out-dir", required=True)
    args = ap.parse_args()

    name = os.path.splitext(os.path.basename(args.model))[0]
    calib = np.load(args.calibration)[:args.samples].astype(np.float32)
    calib_nhwc = np.ascontiguousarray(calib.transpose(0, 2, 3, 1))
    os.makedirs(args.out_dir, exist_ok=True)

    model = build_keras(args.model)
    if tuple(model.input.shape[1:]) != calib_nhwc.shape[1:]:
        ap.error(f"calibration NHWC shape {calib_nhwc.shape[1:]} != model input {tuple(model.input.shape[1:])}")
    ref = _ort_outputs(args.model, calib)
    k = min(args.check_samples, len(calib))
    keras_out = np.concatenate([model.predict_on_batch(calib_nhwc[i:i + 1]) for i in range(k)])
    err_keras = max_rel_err(keras_out, ref[:k])

    paths = {}
    for kind, data in (("fp32", None), ("int8", calib_nhwc)):
        paths[kind] = os.path.join(args.out_dir, f"{name}.{kind}.tflite")
        with open(paths[kind], "wb") as f:
            f.write(to_tflite(model, data))
    err_fp32 = max_rel_err(_litert_outputs(paths["fp32"], calib_nhwc[:k]), ref[:k])
    int8_out = _litert_outputs(paths["int8"], calib_nhwc)
    agree = float((int8_out.argmax(1) == ref.argmax(1)).mean())

    ok = err_keras < FLOAT_MATCH_BAR
    print(f"{name}: keras vs ORT max rel err {err_keras:.2e} ({k} samples){'' if ok else '  FAIL'}")
    print(f"{name}: fp32 tflite vs ORT max rel err {err_fp32:.2e} ({k} samples)")
    print(f"{name}: int8 tflite top-1 agreement with ORT float {agree:.4f} ({len(calib)} samples)")
    for kind, p in paths.items():
        print(f"{name}: {p} {os.path.getsize(p)} bytes")
    if not ok:
        print(f"ERROR: {name}: Keras rebuild differs from onnxruntime by {err_keras:.2e} >= {FLOAT_MATCH_BAR:g}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
