"""Writes the MobileNetV2, ResNet-18 and ResNet-50 architectures of the timing models
(torchvision's layer shapes, full width, 10 classes) at a reduced input size as ONNX files, with
seeded random weights and BatchNorm statistics (BN nodes kept, so the converter folds them).
For whole-model checks on ARM in CI (tools/arm/check_models.sh), where the 224² exports of
tools/export_models.py (torch, ~250 MB, git-ignored) are not available: the files are made
here in seconds with the onnx package and need no storage. The same seed gives the same bytes.

usage: make_models.py OUTDIR SIZE [NAME ...]   (names: mobilenet_v2, resnet18, resnet50; default all)
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


class Builder:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits, self.count = [], [], 0

    def name(self, kind):
        self.count += 1
        return f"{kind}_{self.count}"

    def const(self, kind, array):
        n = self.name(kind)
        self.inits.append(numpy_helper.from_array(array.astype(np.float32), n))
        return n

    def node(self, op, inputs, **attrs):
        out = self.name(op.lower())
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def conv_bn(self, x, cin, cout, k, stride=1, groups=1, act="relu"):
        fan_in = cin // groups * k * k
        w = self.rng.normal(0, np.sqrt(2.0 / fan_in), (cout, cin // groups, k, k))
        y = self.node("Conv", [x, self.const("w", w)], kernel_shape=[k, k], strides=[stride, stride],
                      pads=[k // 2] * 4, group=groups)
        scale, bias = self.rng.uniform(0.5, 1.5, cout), self.rng.normal(0, 0.1, cout)
        mean, var = self.rng.normal(0, 0.2, cout), self.rng.uniform(0.5, 2.0, cout)
        y = self.node("BatchNormalization", [y] + [self.const(n, a) for n, a in
                                                   [("gamma", scale), ("beta", bias), ("mean", mean), ("var", var)]],
                      epsilon=1e-5)
        if act == "relu":
            return self.node("Relu", [y])
        if act == "relu6":
            return self.node("Clip", [y, self.const("min", np.array(0.0)), self.const("max", np.array(6.0))])
        return y

    def head(self, x, channels, classes=10):
        x = self.node("GlobalAveragePool", [x])
        x = self.node("Flatten", [x], axis=1)
        w = self.rng.normal(0, np.sqrt(1.0 / channels), (classes, channels))
        return self.node("Gemm", [x, self.const("fc_w", w), self.const("fc_b", np.zeros(classes))], transB=1)


def mobilenet_v2(b, x):
    x = b.conv_bn(x, 3, 32, 3, 2, act="relu6")
    cin = 32
    for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
        for i in range(n):
            stride, hidden = s if i == 0 else 1, cin * t
            y = b.conv_bn(x, cin, hidden, 1, act="relu6") if t != 1 else x
            y = b.conv_bn(y, hidden, hidden, 3, stride, groups=hidden, act="relu6")
            y = b.conv_bn(y, hidden, c, 1, act=None)
            x = b.node("Add", [x, y]) if stride == 1 and cin == c else y
            cin = c
    x = b.conv_bn(x, 320, 1280, 1, act="relu6")
    return b.head(x, 1280)


def resnet(b, x, blocks, bottleneck):
    x = b.conv_bn(x, 3, 64, 7, 2)
    x = b.node("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    cin = 64
    for stage, (width, n) in enumerate(zip([64, 128, 256, 512], blocks)):
        for i in range(n):
            stride = 2 if stage > 0 and i == 0 else 1
            cout = width * 4 if bottleneck else width
            if bottleneck:
                y = b.conv_bn(x, cin, width, 1)
                y = b.conv_bn(y, width, width, 3, stride)
                y = b.conv_bn(y, width, cout, 1, act=None)
            else:
                y = b.conv_bn(x, cin, width, 3, stride)
                y = b.conv_bn(y, width, width, 3, act=None)
            skip = b.conv_bn(x, cin, cout, 1, stride, act=None) if stride != 1 or cin != cout else x
            x = b.node("Relu", [b.node("Add", [y, skip])])
            cin = cout
    return b.head(x, cin)


ARCHITECTURES = {
    "mobilenet_v2": mobilenet_v2,
    "resnet18": lambda b, x: resnet(b, x, [2, 2, 2, 2], bottleneck=False),
    "resnet50": lambda b, x: resnet(b, x, [3, 4, 6, 3], bottleneck=True),
}


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out, size, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:] or list(ARCHITECTURES)
    os.makedirs(out, exist_ok=True)
    for seed, name in enumerate(names):
        if name not in ARCHITECTURES:
            sys.exit(f"unknown model '{name}' (one of {', '.join(ARCHITECTURES)})")
        b = Builder(seed)
        y = ARCHITECTURES[name](b, "input")
        graph = helper.make_graph(b.nodes, name, [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, size, size])],
                                  [helper.make_tensor_value_info(y, TensorProto.FLOAT, ["N", 10])], b.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8,
                                 producer_name="tools/arm/make_models.py")
        model = onnx.shape_inference.infer_shapes(model, strict_mode=True)
        onnx.checker.check_model(model)
        onnx.save(model, os.path.join(out, f"{name}_{size}.onnx"))


if __name__ == "__main__":
    main()
