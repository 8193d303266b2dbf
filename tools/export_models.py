#!/usr/bin/env python3
"""Export the ONNX models Octet is timed and tested on, with reference outputs.

Two groups of models are written, each as three files per model:

    <name>.onnx       the model (batch axis dynamic, named "N")
    <name>.input.npy  a fixed float32 input (seeded normal)
    <name>.ort.npy    onnxruntime's output for that input (CPUExecutionProvider,
                      all graph optimizations disabled, one thread)

* timing models (--out, default models/timing, git-ignored): ImageNet size,
  1x3x224x224: mobilenet_v1, mobilenet_v2, resnet18, resnet50, bagnet33.
* CI fixtures (--fixtures, default Tests/OctetConvertTests/Fixtures/models,
  committed): small reduced-width models with batch-2 inputs.

Every model gets seeded torchvision-style initialisation, then every
BatchNorm gets random running stats and affine parameters so that folding BN
into the preceding conv is actually exercised. Models are exported with the
TorchScript exporter (dynamo=False) in eval mode but with
training=TrainingMode.PRESERVE, which skips the exporter's eval-mode
Conv+BatchNormalization fusion, so BatchNormalization nodes stay in the graph
(checked after every export).

Requires torch + torchvision (tools/requirements-torch.txt).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import warnings
from collections import OrderedDict

import numpy as np
import onnx
import onnxruntime as ort
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from onnx import helper, numpy_helper
from torchvision.ops.misc import Conv2dNormActivation

DEFAULT_OPSET = 17


# --------------------------------------------------------------------------
# Initialisation helpers
# --------------------------------------------------------------------------

def torchvision_init(model: nn.Module) -> nn.Module:
    """The init torchvision uses for its conv nets (ResNet / MobileNet)."""
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0.0, 0.01)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return model


def randomize_batchnorm(model: nn.Module, seed: int = 0) -> int:
    """Give every BatchNorm non-trivial statistics; returns how many BNs."""
    g = torch.Generator().manual_seed(seed)
    count = 0
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.running_mean.copy_(torch.randn(c, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(c, generator=g) + 0.5)
                m.weight.copy_(torch.rand(c, generator=g) + 0.5)
                m.bias.copy_(torch.randn(c, generator=g) * 0.1)
                count += 1
    return count


def conv_bn_relu(cin, cout, k, stride=1, padding=None, groups=1, act=nn.ReLU):
    if padding is None:
        padding = k // 2
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride=stride, padding=padding, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
        act(inplace=True),
    )


# --------------------------------------------------------------------------
# MobileNetV1 (Howard et al. 2017): stem + 13 depthwise-separable blocks
# --------------------------------------------------------------------------

MOBILENET_V1_BLOCKS = [
    # (output channels, stride) of each depthwise-separable block
    (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
    (512, 1), (512, 1), (512, 1), (512, 1), (512, 1),
    (1024, 2), (1024, 1),
]


class MobileNetV1(nn.Module):
    def __init__(self, width: float = 1.0, num_classes: int = 1000):
        super().__init__()

        def ch(n):
            return max(1, int(round(n * width)))

        layers = [conv_bn_relu(3, ch(32), 3, stride=2)]
        cin = ch(32)
        for cout, stride in MOBILENET_V1_BLOCKS:
            cout = ch(cout)
            layers.append(nn.Sequential(OrderedDict(
                dw=conv_bn_relu(cin, cin, 3, stride=stride, groups=cin),
                pw=conv_bn_relu(cin, cout, 1),
            )))
            cin = cout
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.fc(x)


# --------------------------------------------------------------------------
# BagNet (Brendel & Bethge 2019): ResNet-50-like bottlenecks whose 3x3 convs
# are unpadded and mostly replaced by 1x1, limiting the receptive field.
# --------------------------------------------------------------------------

class BagNetBottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin, planes, stride=1, kernel=1, shortcut=None):
        super().__init__()
        cout = planes * self.expansion
        self.conv1 = nn.Conv2d(cin, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        # no padding: spatial size shrinks by kernel-1
        self.conv2 = nn.Conv2d(planes, planes, kernel, stride=stride, padding=0, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.shortcut = shortcut

    def forward(self, x):
        skip = x if self.shortcut is None else self.shortcut(x)
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        if skip.size(-1) != y.size(-1):
            # the unpadded conv made y smaller: crop the skip path bottom/right
            d = skip.size(-1) - y.size(-1)
            skip = skip[:, :, :-d, :-d]
        return self.relu(y + skip)


class BagNet(nn.Module):
    def __init__(self, layers=(3, 4, 6, 3), strides=(2, 2, 2, 1), kernel3=(1, 1, 1, 1),
                 planes=(64, 128, 256, 512), stem=64, num_classes=1000):
        super().__init__()
        self.conv1 = nn.Conv2d(3, stem, 1, padding=0, bias=False)
        self.conv2 = nn.Conv2d(stem, stem, 3, padding=0, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        self.relu = nn.ReLU(inplace=True)
        cin = stem
        stages = []
        for n, stride, k3, p in zip(layers, strides, kernel3, planes):
            cout = p * BagNetBottleneck.expansion
            shortcut = None
            if stride != 1 or cin != cout:
                shortcut = nn.Sequential(
                    nn.Conv2d(cin, cout, 1, stride=stride, bias=False),
                    nn.BatchNorm2d(cout),
                )
            blocks = []
            for j in range(n):
                kernel = 3 if j < k3 else 1  # the first k3 blocks use 3x3
                blocks.append(BagNetBottleneck(cin, p, stride if j == 0 else 1, kernel,
                                               shortcut if j == 0 else None))
                cin = cout
            stages.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x):
        x = self.conv1(x)
        x = self.conv2(x)
        x = self.relu(self.bn1(x))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        # average the class evidence of all patches
        x = F.avg_pool2d(x, x.size(2), stride=1)
        x = x.view(x.size(0), -1)
        return self.fc(x)


def bagnet33(num_classes=1000):
    return BagNet((3, 4, 6, 3), (2, 2, 2, 1), (1, 1, 1, 1), num_classes=num_classes)


# --------------------------------------------------------------------------
# Small ResNet-18 (basic blocks) for fixtures
# --------------------------------------------------------------------------

class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or cin != cout:  # projection shortcut
            self.downsample = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        skip = x if self.downsample is None else self.downsample(x)
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.relu(y + skip)


class ResNet18Small(nn.Module):
    def __init__(self, widths=(8, 16, 32, 64), num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, widths[0], 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        cin = widths[0]
        stages = []
        for i, w in enumerate(widths):
            stride = 1 if i == 0 else 2
            stages.append(nn.Sequential(BasicBlock(cin, w, stride), BasicBlock(w, w, 1)))
            cin = w
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = torch.flatten(self.avgpool(x), 1)
        return self.fc(x)


# --------------------------------------------------------------------------
# Small MobileNetV2 for fixtures: torchvision's class with width 0.25, fewer
# repeats per stage, and a 4x (instead of 1280-wide) last 1x1 conv.
# --------------------------------------------------------------------------

MOBILENET_V2_TINY_SETTING = [
    # t (expansion), c (channels), n (repeats), s (stride) -- torchvision uses
    # n = 1, 2, 3, 4, 3, 3, 1; we keep >= 2 where the stage has a residual add.
    [1, 16, 1, 1],
    [6, 24, 2, 2],
    [6, 32, 2, 2],
    [6, 64, 2, 2],
    [6, 96, 2, 1],
    [6, 160, 2, 2],
    [6, 320, 1, 1],
]


def mobilenet_v2_tiny(num_classes=10):
    m = torchvision.models.mobilenet_v2(
        weights=None, width_mult=0.25, num_classes=num_classes,
        inverted_residual_setting=MOBILENET_V2_TINY_SETTING)
    cin = m.features[-1][0].in_channels
    m.features[-1] = Conv2dNormActivation(cin, 4 * cin, kernel_size=1,
                                          norm_layer=nn.BatchNorm2d, activation_layer=nn.ReLU6)
    m.classifier[1] = nn.Linear(4 * cin, num_classes)
    m.last_channel = 4 * cin
    return m


# --------------------------------------------------------------------------
# Channels-last input net (what Keras / tf2onnx exports look like)
# --------------------------------------------------------------------------

class NHWCInputNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.block1 = conv_bn_relu(3, 8, 3)
        self.pool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)  # 32 -> 16
        self.block2 = conv_bn_relu(8, 16, 3)
        self.pool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)  # 16 -> 8 (floor: 7)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, num_classes)

    def forward(self, x):  # x: N x H x W x C
        x = x.permute(0, 3, 1, 2)
        x = self.pool1(self.block1(x))
        x = self.pool2(self.block2(x))
        x = torch.flatten(self.gap(x), 1)
        return self.fc(x)


# --------------------------------------------------------------------------
# Operator zoo
# --------------------------------------------------------------------------

class OpsNet(nn.Module):
    """Small net touching many op types and attribute variants (32x32 input)."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1))
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.prelu = nn.PReLU(8)
        self.dconv = nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=2, bias=True)
        self.bn2 = nn.BatchNorm2d(8)
        self.lrelu = nn.LeakyReLU(0.1)
        self.avg_incl = nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=True)
        self.avg_excl = nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
        self.register_buffer("gain", torch.linspace(0.5, 1.5, 8).view(1, 8, 1, 1))
        self.conv2 = nn.Conv2d(16, 16, 3, stride=2, padding=1)       # 32 -> 16
        self.hswish = nn.Hardswish()
        self.conv3 = nn.Conv2d(16, 16, 1)
        self.se = nn.Conv2d(16, 16, 1)
        self.down = nn.Conv2d(16, 16, 3, stride=2, padding=1)        # 16 -> 8
        self.up = nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1)  # 8 -> 16
        self.fuse = nn.Conv2d(8 + 16 + 16, 16, 1)
        self.hsig = nn.Hardsigmoid()
        self.pool = nn.AvgPool2d(6, stride=6)                        # 18 -> 3
        self.w = nn.Parameter(torch.empty(16 * 3 * 3, 32))
        self.b = nn.Parameter(torch.empty(32))
        self.dropout = nn.Dropout(0.1)
        self.fc = nn.Linear(32, num_classes)

    def forward(self, x):
        x = (x - self.mean) / self.std                       # Sub, Div (per-channel)
        x = self.prelu(self.bn1(self.conv1(x)))              # Conv, BN, PRelu
        x = self.lrelu(self.bn2(self.dconv(x)))              # dilated grouped Conv, LeakyRelu
        a = self.avg_incl(x) * self.gain                     # AveragePool (count pad), Mul
        b = self.avg_excl(x)                                 # AveragePool (exclude pad)
        x = torch.cat([a, b], 1)                             # Concat
        x = self.hswish(self.conv2(x))                       # HardSwish
        y = self.conv3(x)
        y = y * F.relu6(y + 3) / 6                           # explicit hard-swish pattern
        y = y * torch.sigmoid(self.se(F.adaptive_avg_pool2d(y, 1)))  # GAP, Sigmoid, Mul
        d = self.down(y)
        u1 = self.up(d)                                      # ConvTranspose stride 2
        u2 = F.interpolate(d, scale_factor=2, mode="nearest")
        u3 = F.interpolate(d, scale_factor=2, mode="bilinear", align_corners=False)
        x = torch.cat([u1, u2, u3], 1)
        x = self.fuse(x)
        x = x * self.hsig(x)                                 # HardSigmoid
        x = F.pad(x, (1, 1, 1, 1), mode="constant", value=0.5)  # Pad 16 -> 18
        x = self.pool(x)
        x = x.view(x.size(0), -1)                            # Shape/Gather/.../Reshape
        x = torch.tanh(torch.matmul(x, self.w) + self.b)     # MatMul, Add, Tanh
        x = self.dropout(x)                                  # re-inserted after export
        x = self.fc(x)                                       # Gemm
        return torch.softmax(x, dim=1)                       # Softmax


def ops_tiny():
    m = OpsNet()
    torchvision_init(m)
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        m.prelu.weight.copy_(torch.rand(8, generator=g) * 0.45 + 0.05)
        m.w.copy_(torch.randn(m.w.shape, generator=g) / np.sqrt(m.w.shape[0]))
        m.b.copy_(torch.randn(m.b.shape, generator=g) * 0.1)
        m.fc.weight.copy_(torch.randn(m.fc.weight.shape, generator=g) * 0.3)
        for mod in m.modules():  # non-zero biases so bias handling is tested
            if isinstance(mod, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)) and mod.bias is not None:
                mod.bias.copy_(torch.randn(mod.bias.shape, generator=g) * 0.1)
        # Two identical initializers: the exporter de-duplicates them into an
        # Identity node, as it does in many real exports.
        m.se.bias.copy_(m.conv3.bias)
    return m


def insert_dropout_before(model: onnx.ModelProto, consumer_op: str, ratio: float = 0.1) -> None:
    """Re-insert an inference-mode Dropout node (the exporter drops it in eval).

    Placed on the first input of the first `consumer_op` node, with the
    optional `ratio` input given as an initializer; no training_mode input,
    so it is an identity at inference.
    """
    graph = model.graph
    for idx, node in enumerate(graph.node):
        if node.op_type == consumer_op:
            break
    else:
        raise RuntimeError(f"no {consumer_op} node to put a Dropout in front of")
    src = node.input[0]
    out = "/dropout/Dropout_output_0"
    graph.initializer.append(numpy_helper.from_array(np.array(ratio, dtype=np.float32),
                                                     "dropout_ratio"))
    drop = helper.make_node("Dropout", [src, "dropout_ratio"], [out], name="/dropout/Dropout")
    node.input[0] = out
    graph.node.insert(idx, drop)


# --------------------------------------------------------------------------
# Export / reference
# --------------------------------------------------------------------------

def export(model: nn.Module, x: torch.Tensor, path: str, opset: int, post=None) -> onnx.ModelProto:
    model.eval()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = os.path.join(tmp, "m.onnx")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                model, (x,), tmp_path,
                dynamo=False,                       # TorchScript exporter
                opset_version=opset,
                input_names=["input"], output_names=["output"],
                dynamic_axes={"input": {0: "N"}, "output": {0: "N"}},
                do_constant_folding=True,
                # PRESERVE (model is in eval mode) instead of EVAL: the EVAL path
                # runs a peephole pass that fuses BatchNormalization into Conv.
                training=torch.onnx.TrainingMode.PRESERVE,
            )
        m = onnx.load(tmp_path)
    if post is not None:
        post(m)
    # Make the bytes independent of torch's doc strings / tmp names.
    m.producer_name = "octet-tools-export_models"
    onnx.checker.check_model(m, full_check=True)
    with open(path, "wb") as f:
        f.write(m.SerializeToString())
    return m


def ort_reference(path: str, x: np.ndarray) -> np.ndarray:
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    (y,) = sess.run(None, {sess.get_inputs()[0].name: x})
    return y.astype(np.float32)


def build(name: str):
    """Return (module, input shape, opset) for a model name."""
    timing = (1, 3, 224, 224)
    tiny = (2, 3, 64, 64)
    # Fixture widths are chosen so each .onnx stays under ~600 KB (fp32
    # weights) and the fixture dir under 3 MB: MobileNetV1 at width 0.125
    # (0.25 would be ~790 KB), ResNet-18 with stage widths 8/16/32/32
    # (8/16/32/64 would be ~700 KB, and it is written twice), MobileNetV2 at
    # width 0.25 with fewer repeats and a 320-wide last conv instead of 1280.
    table = {
        "mobilenet_v1": (lambda: torchvision_init(MobileNetV1()), timing, DEFAULT_OPSET),
        "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(weights=None), timing, DEFAULT_OPSET),
        "resnet18": (lambda: torchvision.models.resnet18(weights=None), timing, DEFAULT_OPSET),
        "resnet50": (lambda: torchvision.models.resnet50(weights=None), timing, DEFAULT_OPSET),
        "bagnet33": (lambda: torchvision_init(bagnet33()), timing, DEFAULT_OPSET),
        "mobilenet_v2_tiny": (mobilenet_v2_tiny, tiny, DEFAULT_OPSET),
        "mobilenet_v1_tiny": (lambda: torchvision_init(MobileNetV1(width=0.125, num_classes=10)),
                              tiny, DEFAULT_OPSET),
        "resnet18_tiny": (lambda: torchvision_init(ResNet18Small((8, 16, 32, 32))), tiny, DEFAULT_OPSET),
        "resnet18_tiny_opset9": (lambda: torchvision_init(ResNet18Small((8, 16, 32, 32))), tiny, 9),
        "bagnet_tiny": (lambda: torchvision_init(BagNet(planes=(4, 8, 16, 32), stem=8, num_classes=10)),
                        tiny, DEFAULT_OPSET),
        "nhwc_input_tiny": (lambda: torchvision_init(NHWCInputNet()), (2, 32, 32, 3), DEFAULT_OPSET),
        "ops_tiny": (ops_tiny, (2, 3, 32, 32), DEFAULT_OPSET),
        "ops_tiny_opset13": (ops_tiny, (2, 3, 32, 32), 13),
    }
    return table[name]


TIMING_MODELS = ["mobilenet_v1", "mobilenet_v2", "resnet18", "resnet50", "bagnet33"]
FIXTURE_MODELS = ["mobilenet_v2_tiny", "mobilenet_v1_tiny", "resnet18_tiny", "resnet18_tiny_opset9",
                  "bagnet_tiny", "nhwc_input_tiny", "ops_tiny", "ops_tiny_opset13"]


def export_one(name: str, outdir: str) -> dict | None:
    # Seed per model so any subset (--only) gives identical files.
    torch.manual_seed(0)
    np.random.seed(0)
    ctor, shape, opset = build(name)
    model = ctor()
    n_bn = randomize_batchnorm(model, seed=0)
    model.eval()
    x = np.random.RandomState(0).standard_normal(shape).astype(np.float32)
    xt = torch.from_numpy(x)

    post = None
    if name.startswith("ops_tiny"):
        post = lambda m: insert_dropout_before(m, "Gemm")  # noqa: E731

    path = os.path.join(outdir, f"{name}.onnx")
    try:
        m = export(model, xt, path, opset, post)
    except Exception as e:  # e.g. an opset this torch cannot export
        print(f"NOTE: skipped {name} (opset {opset}): {type(e).__name__}: {str(e).splitlines()[0][:200]}")
        if os.path.exists(path):
            os.remove(path)
        return None

    ops = sorted({n.op_type for n in m.graph.node})
    n_bn_onnx = sum(n.op_type == "BatchNormalization" for n in m.graph.node)
    if n_bn_onnx != n_bn:
        raise RuntimeError(f"{name}: {n_bn} BatchNorm2d modules but {n_bn_onnx} "
                           f"BatchNormalization nodes in the export (BN got folded?)")

    y = ort_reference(path, x)
    with torch.no_grad():
        y_torch = model(xt).numpy()
    err = float(np.max(np.abs(y - y_torch)) / (np.max(np.abs(y_torch)) + 1e-12))
    if err > 1e-4:
        raise RuntimeError(f"{name}: onnxruntime differs from torch (max rel err {err:.2e})")
    np.save(os.path.join(outdir, f"{name}.input.npy"), x)
    np.save(os.path.join(outdir, f"{name}.ort.npy"), y)

    dims = m.graph.input[0].type.tensor_type.shape.dim
    in_shape = "x".join(d.dim_param or str(d.dim_value) for d in dims)
    return dict(name=name, params=sum(p.numel() for p in model.parameters()),
                bytes=os.path.getsize(path), opset=opset, bn=n_bn_onnx, ops=ops,
                in_shape=in_shape, out_shape="x".join(map(str, y.shape)),
                out_std=float(y.std()), err=err)


def print_summary(rows: list[dict], title: str) -> None:
    if not rows:
        return
    print(f"\n{title}")
    print(f"{'name':22s} {'params':>9s} {'onnx bytes':>11s} {'opset':>5s} {'BN':>3s} "
          f"{'input':>12s} {'output':>7s} {'out std':>9s} {'ort/torch':>9s}  op types")
    for r in rows:
        print(f"{r['name']:22s} {r['params']:9d} {r['bytes']:11d} {r['opset']:5d} {r['bn']:3d} "
              f"{r['in_shape']:>12s} {r['out_shape']:>7s} {r['out_std']:9.3g} {r['err']:9.1e}  "
              f"{' '.join(r['ops'])}")
    print(f"{'total':22s} {'':9s} {sum(r['bytes'] for r in rows):11d}")


def main() -> int:
    ap = argparse.ArgumentParser(description="Export Octet's timing models and CI fixture models.")
    ap.add_argument("--out", default="models/timing", help="dir for the 224x224 timing models")
    ap.add_argument("--fixtures", default="Tests/OctetConvertTests/Fixtures/models",
                    help="dir for the small CI fixture models")
    ap.add_argument("--only", nargs="+", metavar="NAME",
                    help=f"export only these ({', '.join(TIMING_MODELS + FIXTURE_MODELS)})")
    ap.add_argument("--skip-timing", action="store_true", help="do not export the timing models")
    ap.add_argument("--skip-fixtures", action="store_true", help="do not export the fixtures")
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    np.random.seed(0)
    torch.use_deterministic_algorithms(True)

    known = set(TIMING_MODELS + FIXTURE_MODELS)
    if args.only:
        bad = [n for n in args.only if n not in known]
        if bad:
            ap.error(f"unknown model(s): {', '.join(bad)}")

    def wanted(names, skip):
        if skip:
            return []
        return [n for n in names if not args.only or n in args.only]

    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, onnx {onnx.__version__}, "
          f"onnxruntime {ort.__version__}")
    results = {}
    for group, names, outdir in (("timing", wanted(TIMING_MODELS, args.skip_timing), args.out),
                                 ("fixtures", wanted(FIXTURE_MODELS, args.skip_fixtures), args.fixtures)):
        rows = []
        if names:
            os.makedirs(outdir, exist_ok=True)
        for name in names:
            print(f"exporting {name} -> {outdir}", flush=True)
            r = export_one(name, outdir)
            if r is not None:
                rows.append(r)
        results[group] = (rows, outdir)
    for group, (rows, outdir) in results.items():
        print_summary(rows, f"{group} ({outdir})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
