#!/usr/bin/env python3
"""Train, export and verify the Fashion-MNIST models in models/.

One command trains every model with a fixed seed, exports it to ONNX and
checks the export on the 10,000 test images:

    .venv/bin/python tools/train.py                  # all models
    .venv/bin/python tools/train.py --only resnet18  # one (or a few) models
    .venv/bin/python tools/train.py --export-only    # re-export from checkpoints

Data: the gzip'd IDX files of the Debian package `dataset-fashion-mnist`
(/usr/share/datasets/fashion-mnist), read by tools/fashion_mnist.py. Inputs are
float32 [N, 1, 28, 28], (pixel / 255 - 0.2860) / 0.3530; normalisation is done
outside the model (the Octet CLI applies it with --mean/--std). Outputs are
logits [N, 10].

Per model:
  1. train on all 60,000 training images (SGD + Nesterov momentum, one-cycle
     schedule: linear warm-up then cosine decay, random 28x28 crops of the
     2-pixel zero-padded image and horizontal flips), seed fixed per model;
  2. save the state dict to models/checkpoints/<name>.pt (git-ignored);
  3. export models/<name>.onnx with the TorchScript exporter (dynamo=False,
     opset 17, batch axis "N", eval mode with TrainingMode.PRESERVE and
     constant folding, so BatchNormalization nodes stay in the graph -- checked);
  4. evaluate torch (eval mode) and onnxruntime on the 10,000 test images;
     both accuracies are reported and must agree;
  5. write models/<name>.json with the numbers (read back for models/README.md).

Also writes models/calibration_500.npy (+ .labels.npy), models/fashion_mnist.json
and models/fashion_mnist.labels, and regenerates the table in models/README.md
from every models/<name>.json present.

Reproducibility: seeds are fixed and torch's deterministic algorithms are on;
bit-identical weights additionally need the same torch build, CPU type and
--threads (default 1).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
import warnings
from collections import OrderedDict

import numpy as np
import onnx
import onnxruntime as ort
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fashion_mnist as fm  # noqa: E402

OPSET = 17
SEED = 20240603
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS_DIR = os.path.join(ROOT, "models")


# --------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------

def conv_bn(cin, cout, k, stride=1, padding=None, groups=1, act=nn.ReLU):
    """Conv (no bias) + BatchNorm (+ activation unless act is None)."""
    if padding is None:
        padding = k // 2
    layers = [nn.Conv2d(cin, cout, k, stride=stride, padding=padding, groups=groups, bias=False),
              nn.BatchNorm2d(cout)]
    if act is not None:
        layers.append(act(inplace=True))
    return nn.Sequential(*layers)


# --------------------------------------------------------------------------
# LeNet-5 (LeCun et al. 1998), with ReLU and max pooling. The first conv pads
# by 2, which is the original 32x32 input geometry.
# --------------------------------------------------------------------------

class LeNet5(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5, padding=2)     # 28 -> 28
        self.s2 = nn.MaxPool2d(2)                   # -> 14
        self.c3 = nn.Conv2d(6, 16, 5)               # -> 10
        self.s4 = nn.MaxPool2d(2)                   # -> 5
        self.f5 = nn.Linear(16 * 5 * 5, 120)
        self.f6 = nn.Linear(120, 84)
        self.out = nn.Linear(84, num_classes)

    def forward(self, x):
        x = self.s2(F.relu(self.c1(x)))
        x = self.s4(F.relu(self.c3(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.f5(x))
        x = F.relu(self.f6(x))
        return self.out(x)


# --------------------------------------------------------------------------
# Small VGG (Simonyan & Zisserman 2015): 3 stages of two 3x3 conv-BN-ReLU
# and a max pool, then a flattening fully connected classifier.
# --------------------------------------------------------------------------

class VGGSmall(nn.Module):
    def __init__(self, cfg=(16, 16, "M", 32, 32, "M", 64, 64, "M"), hidden=256, num_classes=10):
        super().__init__()
        layers, cin = [], 1
        for v in cfg:
            if v == "M":
                layers.append(nn.MaxPool2d(2))      # 28 -> 14 -> 7 -> 3
            else:
                layers.append(conv_bn(cin, v, 3))
                cin = v
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(
            nn.Linear(cin * 3 * 3, hidden), nn.ReLU(inplace=True), nn.Dropout(0.3),
            nn.Linear(hidden, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


# --------------------------------------------------------------------------
# Small GoogLeNet (Szegedy et al. 2015): Inception modules whose four branches
# (1x1; 1x1-3x3; 1x1-5x5; 3x3 max pool-1x1) are concatenated.
# --------------------------------------------------------------------------

class Inception(nn.Module):
    def __init__(self, cin, c1, c3r, c3, c5r, c5, cp):
        super().__init__()
        self.b1 = conv_bn(cin, c1, 1)
        self.b2 = nn.Sequential(conv_bn(cin, c3r, 1), conv_bn(c3r, c3, 3))
        self.b3 = nn.Sequential(conv_bn(cin, c5r, 1), conv_bn(c5r, c5, 5))
        self.b4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), conv_bn(cin, cp, 1))
        self.out_channels = c1 + c3 + c5 + cp

    def forward(self, x):
        return torch.cat([self.b1(x), self.b2(x), self.b3(x), self.b4(x)], 1)


class GoogLeNetSmall(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = conv_bn(1, 32, 3)                                   # 28
        self.pool1 = nn.MaxPool2d(3, stride=2, padding=1)               # -> 14
        self.inc3a = Inception(32, 16, 16, 32, 8, 16, 16)               # 80
        self.inc3b = Inception(80, 32, 32, 48, 8, 24, 16)               # 120
        self.pool2 = nn.MaxPool2d(3, stride=2, padding=1)               # -> 7
        self.inc4a = Inception(120, 48, 24, 64, 8, 24, 24)              # 160
        self.inc4b = Inception(160, 64, 32, 80, 12, 32, 32)             # 208
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(0.2)
        self.fc = nn.Linear(self.inc4b.out_channels, num_classes)

    def forward(self, x):
        x = self.pool1(self.stem(x))
        x = self.pool2(self.inc3b(self.inc3a(x)))
        x = self.inc4b(self.inc4a(x))
        return self.fc(self.dropout(torch.flatten(self.gap(x), 1)))


# --------------------------------------------------------------------------
# Small DenseNet-BC (Huang et al. 2017): dense layers BN-ReLU-1x1-BN-ReLU-3x3
# (pre-activation, so a BatchNormalization follows every Concat), transitions
# BN-ReLU-1x1 + 2x2 average pool with compression 0.5.
# --------------------------------------------------------------------------

class DenseLayer(nn.Module):
    def __init__(self, cin, growth, bottleneck=4):
        super().__init__()
        inner = bottleneck * growth
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, inner, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(inner)
        self.conv2 = nn.Conv2d(inner, growth, 3, padding=1, bias=False)

    def forward(self, x):
        y = self.conv1(F.relu(self.bn1(x)))
        y = self.conv2(F.relu(self.bn2(y)))
        return torch.cat([x, y], 1)


class Transition(nn.Sequential):
    def __init__(self, cin, cout):
        super().__init__(OrderedDict(
            bn=nn.BatchNorm2d(cin), relu=nn.ReLU(inplace=True),
            conv=nn.Conv2d(cin, cout, 1, bias=False), pool=nn.AvgPool2d(2)))


class DenseNetSmall(nn.Module):
    def __init__(self, growth=12, layers=(4, 4, 4), num_classes=10):
        super().__init__()
        c = 2 * growth
        self.stem = nn.Conv2d(1, c, 3, padding=1, bias=False)          # 28
        self.pool0 = nn.MaxPool2d(2)                                    # -> 14
        blocks = []
        for i, n in enumerate(layers):
            for _ in range(n):
                blocks.append(DenseLayer(c, growth))
                c += growth
            if i + 1 < len(layers):                                     # 14 -> 7 -> 3
                blocks.append(Transition(c, c // 2))
                c //= 2
        self.blocks = nn.Sequential(*blocks)
        self.bn = nn.BatchNorm2d(c)
        self.fc = nn.Linear(c, num_classes)

    def forward(self, x):
        x = self.blocks(self.pool0(self.stem(x)))
        x = F.relu(self.bn(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


# --------------------------------------------------------------------------
# Residual networks: ResNet-18 (basic blocks), ResNet-50 (bottlenecks),
# ResNeXt (bottlenecks with grouped 3x3 convs). Projection shortcuts
# (1x1 conv + BN) wherever the shape changes; torchvision-style stride on the
# 3x3 conv. Stem: 3x3 conv + 3x3/2 max pool (28 -> 14), the small-image
# analogue of the ImageNet 7x7/2 conv + max pool.
# --------------------------------------------------------------------------

def projection(cin, cout, stride):
    if stride == 1 and cin == cout:
        return None
    return nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = projection(cin, cout, stride)

    def forward(self, x):
        skip = x if self.downsample is None else self.downsample(x)
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + skip)


class Bottleneck(nn.Module):
    def __init__(self, cin, width, cout, stride, groups=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride=stride, padding=1, groups=groups, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)
        self.downsample = projection(cin, cout, stride)

    def forward(self, x):
        skip = x if self.downsample is None else self.downsample(x)
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return F.relu(y + skip)


class ResNet(nn.Module):
    """stages: list of (blocks, width, out channels, stride)."""

    def __init__(self, block, stages, stem=16, groups=1, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, stem, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        cin, layers = stem, []
        for n, width, cout, stride in stages:
            blocks = []
            for j in range(n):
                s = stride if j == 0 else 1
                if block is BasicBlock:
                    blocks.append(BasicBlock(cin, cout, s))
                else:
                    blocks.append(Bottleneck(cin, width, cout, s, groups))
                cin = cout
            layers.append(nn.Sequential(*blocks))
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(cin, num_classes)
        for m in self.modules():  # zero-init the last BN of each block
            if isinstance(m, (BasicBlock, Bottleneck)):
                last = m.bn3 if isinstance(m, Bottleneck) else m.bn2
                nn.init.zeros_(last.weight)

    def forward(self, x):
        x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
        x = self.layers(x)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def resnet18():
    # 2-2-2-2 basic blocks, widths 16-32-64-128 at 14, 7, 4, 2 px
    return ResNet(BasicBlock, [(2, 16, 16, 1), (2, 32, 32, 2), (2, 64, 64, 2), (2, 128, 128, 2)])


def resnet50():
    # 3-4-6-3 bottlenecks, expansion 4: widths 12-24-48-96, outputs 48-96-192-384
    return ResNet(Bottleneck, [(3, 12, 48, 1), (4, 24, 96, 2), (6, 48, 192, 2), (3, 96, 384, 2)])


def resnext():
    # ResNeXt-29-like (Xie et al. 2017), 3 stages of 3 bottlenecks, cardinality 8
    return ResNet(Bottleneck, [(3, 32, 64, 1), (3, 64, 128, 2), (3, 128, 256, 2)], stem=32, groups=8)


# --------------------------------------------------------------------------
# MobileNetV1 (Howard et al. 2017): 3x3 conv then depthwise-separable blocks
# (3x3 depthwise conv-BN-ReLU6, 1x1 pointwise conv-BN-ReLU6).
# --------------------------------------------------------------------------

class MobileNetV1(nn.Module):
    BLOCKS = [(32, 1), (64, 2), (64, 1), (128, 2), (128, 1), (128, 1), (128, 1), (256, 2), (256, 1)]

    def __init__(self, stem=16, num_classes=10):
        super().__init__()
        layers = [conv_bn(1, stem, 3, act=nn.ReLU6)]                    # 28
        cin = stem
        for cout, stride in self.BLOCKS:                                # 28, 14, 7, 4
            layers.append(nn.Sequential(OrderedDict(
                dw=conv_bn(cin, cin, 3, stride=stride, groups=cin, act=nn.ReLU6),
                pw=conv_bn(cin, cout, 1, act=nn.ReLU6))))
            cin = cout
        self.features = nn.Sequential(*layers)
        self.dropout = nn.Dropout(0.2)
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x):
        x = F.adaptive_avg_pool2d(self.features(x), 1)
        return self.fc(self.dropout(torch.flatten(x, 1)))


# --------------------------------------------------------------------------
# MobileNetV2 (Sandler et al. 2018): inverted residuals (1x1 expand-ReLU6,
# 3x3 depthwise-ReLU6, 1x1 linear projection), residual add when shapes match.
# --------------------------------------------------------------------------

class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        layers = []
        if expand != 1:
            layers.append(conv_bn(cin, hidden, 1, act=nn.ReLU6))
        layers += [conv_bn(hidden, hidden, 3, stride=stride, groups=hidden, act=nn.ReLU6),
                   conv_bn(hidden, cout, 1, act=None)]                  # linear bottleneck
        self.conv = nn.Sequential(*layers)
        self.use_res = stride == 1 and cin == cout

    def forward(self, x):
        y = self.conv(x)
        return x + y if self.use_res else y


class MobileNetV2(nn.Module):
    # t (expansion), c (channels), n (repeats), s (stride); the stem has stride 2
    # like the original, so the network runs at 14, 7 and 4 px (total stride 8)
    SETTING = [(1, 8, 1, 1), (6, 16, 2, 1), (6, 24, 3, 2), (6, 32, 3, 1), (6, 56, 2, 2), (6, 96, 1, 1)]

    def __init__(self, stem=16, last=384, num_classes=10):
        super().__init__()
        layers = [conv_bn(1, stem, 3, stride=2, act=nn.ReLU6)]          # 28 -> 14
        cin = stem
        for t, c, n, s in self.SETTING:                                 # 14, 14, 7, 7, 4, 4
            for j in range(n):
                layers.append(InvertedResidual(cin, c, s if j == 0 else 1, t))
                cin = c
        layers.append(conv_bn(cin, last, 1, act=nn.ReLU6))
        self.features = nn.Sequential(*layers)
        self.dropout = nn.Dropout(0.2)
        self.fc = nn.Linear(last, num_classes)

    def forward(self, x):
        x = F.adaptive_avg_pool2d(self.features(x), 1)
        return self.fc(self.dropout(torch.flatten(x, 1)))


# --------------------------------------------------------------------------
# BagNet (Brendel & Bethge 2019), scaled to 28 px: a ResNet-50-like bottleneck
# network in which only the first block of the first two stages has a 3x3 conv
# (all other "3x3" convs are 1x1) and no conv pads, so every output position
# sees a 9x9 patch (BagNet-9). Where an unpadded 3x3 shrinks the residual
# branch, the shortcut is cropped to match. The 3x3 grid of patch features is
# average-pooled before the linear classifier, which equals averaging the
# per-patch logits.
# --------------------------------------------------------------------------

class BagNetBottleneck(nn.Module):
    def __init__(self, cin, width, cout, stride, kernel):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, kernel, stride=stride, padding=0, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)
        self.downsample = projection(cin, cout, stride)

    def forward(self, x):
        skip = x if self.downsample is None else self.downsample(x)
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        d = skip.size(-1) - y.size(-1)
        if d > 0:  # crop the shortcut bottom/right to the unpadded branch's size
            skip = skip[:, :, :-d, :-d]
        return F.relu(y + skip)


class BagNet(nn.Module):
    def __init__(self, layers=(3, 4, 6, 3), strides=(2, 2, 2, 1), kernel3=(1, 1, 0, 0),
                 widths=(16, 32, 48, 64), stem=16, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, stem, 1, bias=False)
        self.conv2 = nn.Conv2d(stem, stem, 3, padding=0, bias=False)    # 28 -> 26, RF 3
        self.bn1 = nn.BatchNorm2d(stem)
        cin, stages = stem, []
        for n, stride, k3, w in zip(layers, strides, kernel3, widths):  # 26 -> 12 -> 5 -> 3 -> 3
            cout = 4 * w
            blocks = []
            for j in range(n):
                blocks.append(BagNetBottleneck(cin, w, cout, stride if j == 0 else 1,
                                               3 if j < k3 else 1))
                cin = cout
            stages.append(nn.Sequential(*blocks))
        self.layers = nn.Sequential(*stages)
        self.fc = nn.Linear(cin, num_classes)
        for m in self.modules():
            if isinstance(m, BagNetBottleneck):
                nn.init.zeros_(m.bn3.weight)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv2(self.conv1(x))))
        x = self.layers(x)
        x = F.avg_pool2d(x, x.size(-1), stride=1)   # average over the bag of patches
        return self.fc(torch.flatten(x, 1))


# --------------------------------------------------------------------------
# Model table: constructor, epochs, peak learning rate, description
# --------------------------------------------------------------------------

MODELS = OrderedDict([
    ("lenet5", (LeNet5, 10, 0.05, "LeNet-5: 2 conv 5x5 + 3 FC, ReLU, max pool, no BN")),
    ("vgg_small", (VGGSmall, 5, 0.1, "VGG: 3 stages of 2x conv3x3-BN-ReLU + max pool, FC-256-10")),
    ("googlenet_small", (GoogLeNetSmall, 3, 0.1, "GoogLeNet: stem + 4 Inception modules (1x1, 3x3, 5x5, pool branches, Concat)")),
    ("densenet_small", (DenseNetSmall, 4, 0.1, "DenseNet-BC: 3 dense blocks x 4 layers, growth 12, pre-activation BN after Concat")),
    ("resnext_small", (resnext, 3, 0.1, "ResNeXt-29-like: 3 stages x 3 bottlenecks, grouped 3x3 (cardinality 8)")),
    ("mobilenet_v1", (MobileNetV1, 4, 0.1, "MobileNetV1: 9 depthwise-separable blocks, BN, ReLU6")),
    ("mobilenet_v2", (MobileNetV2, 4, 0.1, "MobileNetV2: stride-2 stem + 12 inverted residuals, linear bottlenecks, ReLU6")),
    ("resnet18", (resnet18, 5, 0.1, "ResNet-18: 2-2-2-2 basic blocks, projection shortcuts")),
    ("resnet50", (resnet50, 3, 0.1, "ResNet-50: 3-4-6-3 bottleneck blocks, projection shortcuts")),
    ("bagnet", (BagNet, 4, 0.1, "BagNet-9: bottleneck ResNet, mostly 1x1, padding 0, shortcut crop, 9x9 patches averaged")),
])


# --------------------------------------------------------------------------
# Counting
# --------------------------------------------------------------------------

def count_macs(model: nn.Module) -> int:
    """Multiply-accumulates of Conv2d and Linear layers for one 1x28x28 image."""
    total = [0]

    def conv_hook(m, inp, out):
        k = m.kernel_size[0] * m.kernel_size[1] * (m.in_channels // m.groups)
        total[0] += out[0].numel() * k

    def linear_hook(m, inp, out):
        total[0] += m.in_features * m.out_features

    hooks = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(linear_hook))
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 1, 28, 28))
    model.train(was_training)
    for h in hooks:
        h.remove()
    return total[0]


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


# --------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------

def augment(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """Random 28x28 crop of the zero-padded (2 px) image, random horizontal flip.

    Padding is done in normalised space with the value of a black pixel, so it
    matches an image padded with zeros before normalisation.
    """
    n = x.size(0)
    black = (0.0 - fm.MEAN) / fm.STD
    xp = F.pad(x, (2, 2, 2, 2), value=black)
    dy = torch.randint(0, 5, (n,), generator=g)
    dx = torch.randint(0, 5, (n,), generator=g)
    flip = torch.rand(n, generator=g) < 0.5
    ar = torch.arange(28)
    rows = (dy[:, None] + ar)                                           # [n, 28]
    cols = dx[:, None] + ar
    cols = torch.where(flip[:, None], cols.flip(1), cols)               # flipped columns
    b = torch.arange(n)[:, None, None]
    return xp[b, 0, rows[:, :, None], cols[:, None, :]].unsqueeze(1)


def param_groups(model: nn.Module, weight_decay: float):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if p.ndim <= 1 else decay).append(p)
    return [{"params": decay, "weight_decay": weight_decay},
            {"params": no_decay, "weight_decay": 0.0}]


@torch.no_grad()
def evaluate_torch(model: nn.Module, x: torch.Tensor, batch=1000) -> np.ndarray:
    model.eval()
    out = [model(x[i:i + batch]) for i in range(0, x.size(0), batch)]
    return torch.cat(out).numpy()


def train_one(name: str, xtr: torch.Tensor, ytr: torch.Tensor, xte: torch.Tensor, yte: torch.Tensor,
              epochs: int | None, batch: int, log) -> tuple[nn.Module, dict]:
    ctor, default_epochs, lr, _ = MODELS[name]
    epochs = epochs or default_epochs
    seed = SEED + list(MODELS).index(name)
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    model = ctor()
    # channels-last is 1.3-2x faster for these small convs on CPU (oneDNN)
    model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(param_groups(model, 5e-4), lr=lr, momentum=0.9, nesterov=True)
    steps_per_epoch = math.ceil(xtr.size(0) / batch)
    total = epochs * steps_per_epoch
    warm = max(1, int(0.15 * total))

    def lr_at(step):  # linear warm-up from lr/20, then cosine to 0
        if step < warm:
            return lr * (0.05 + 0.95 * step / warm)
        return 0.5 * lr * (1 + math.cos(math.pi * (step - warm) / (total - warm)))

    step = 0
    t0 = time.time()
    for ep in range(epochs):
        model.train()
        perm = torch.randperm(xtr.size(0), generator=g)
        loss_sum, correct = 0.0, 0
        for i in range(0, xtr.size(0), batch):
            idx = perm[i:i + batch]
            xb = augment(xtr[idx], g).contiguous(memory_format=torch.channels_last)
            yb = ytr[idx]
            for pg in opt.param_groups:
                pg["lr"] = lr_at(step)
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            loss_sum += loss.item() * yb.size(0)
            correct += (logits.argmax(1) == yb).sum().item()
        acc = (evaluate_torch(model, xte).argmax(1) == yte.numpy()).mean()
        log(f"  {name} epoch {ep + 1}/{epochs}: train loss {loss_sum / xtr.size(0):.4f} "
            f"train acc {correct / xtr.size(0):.4f} test acc {acc:.4f} ({time.time() - t0:.0f} s)")
    model = model.to(memory_format=torch.contiguous_format).eval()
    return model, {"epochs": epochs, "lr": lr, "batch": batch, "seed": seed,
                   "train_seconds": round(time.time() - t0, 1)}


# --------------------------------------------------------------------------
# Export and verification
# --------------------------------------------------------------------------

def export_onnx(model: nn.Module, path: str) -> onnx.ModelProto:
    model.eval()
    x = torch.zeros(2, 1, 28, 28)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = os.path.join(tmp, "m.onnx")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                model, (x,), tmp_path,
                dynamo=False,                       # TorchScript exporter
                opset_version=OPSET,
                input_names=["input"], output_names=["logits"],
                dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
                do_constant_folding=True,
                # eval-mode model + PRESERVE: skips the exporter's Conv+BN fusion
                training=torch.onnx.TrainingMode.PRESERVE,
            )
        m = onnx.load(tmp_path)
    m.producer_name = "octet-tools-train"
    onnx.checker.check_model(m, full_check=True)
    with open(path, "wb") as f:
        f.write(m.SerializeToString())
    n_bn = sum(isinstance(mod, nn.BatchNorm2d) for mod in model.modules())
    n_bn_onnx = sum(n.op_type == "BatchNormalization" for n in m.graph.node)
    if n_bn_onnx != n_bn:
        raise RuntimeError(f"{path}: {n_bn} BatchNorm2d modules but {n_bn_onnx} "
                           f"BatchNormalization nodes (BN got folded?)")
    return m


def evaluate_ort(path: str, x: np.ndarray, batch=1000, threads=2) -> np.ndarray:
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    return np.concatenate([sess.run(None, {name: x[i:i + batch]})[0] for i in range(0, len(x), batch)])


def export_and_verify(name: str, model: nn.Module, xte: torch.Tensor, yte: np.ndarray,
                      threads: int, log) -> dict:
    path = os.path.join(MODELS_DIR, f"{name}.onnx")
    m = export_onnx(model, path)
    logits_t = evaluate_torch(model, xte)
    logits_o = evaluate_ort(path, xte.numpy(), threads=threads)
    pt, po = logits_t.argmax(1), logits_o.argmax(1)
    acc_t, acc_o = float((pt == yte).mean()), float((po == yte).mean())
    diff = float(np.max(np.abs(logits_t - logits_o)))
    ops = sorted({n.op_type for n in m.graph.node})
    row = {
        "name": name, "description": MODELS[name][3],
        "torch_acc": acc_t, "ort_acc": acc_o, "argmax_disagreements": int((pt != po).sum()),
        "max_abs_logit_diff": diff, "params": count_params(model), "macs": count_macs(model),
        "bytes": os.path.getsize(path), "opset": OPSET,
        "bn_nodes": sum(n.op_type == "BatchNormalization" for n in m.graph.node),
        "nodes": len(m.graph.node), "op_types": ops,
    }
    log(f"  {name}: torch {acc_t:.4f}  onnxruntime {acc_o:.4f}  (argmax disagreements "
        f"{row['argmax_disagreements']}, max |logit diff| {diff:.2e}), {row['params']} params, "
        f"{row['macs'] / 1e6:.2f} M MACs, {row['bytes']} bytes, {row['bn_nodes']} BN nodes")
    if acc_t != acc_o:
        raise RuntimeError(f"{name}: onnxruntime accuracy {acc_o} != torch accuracy {acc_t}")
    return row


# --------------------------------------------------------------------------
# Data files for the CLI / quantizers
# --------------------------------------------------------------------------

META_PATH = os.path.join(MODELS_DIR, "fashion_mnist.json")


def load_meta() -> dict:
    if os.path.exists(META_PATH):
        with open(META_PATH) as f:
            return json.load(f, object_pairs_hook=OrderedDict)
    return OrderedDict()


def save_meta(meta: dict) -> None:
    with open(META_PATH, "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")


def write_data_files(xtr_raw: np.ndarray, ytr: np.ndarray) -> None:
    perm = np.random.RandomState(SEED).permutation(len(xtr_raw))[:500]
    calib = fm.normalize(xtr_raw[perm])
    np.save(os.path.join(MODELS_DIR, "calibration_500.npy"), calib)
    np.save(os.path.join(MODELS_DIR, "calibration_500.labels.npy"), ytr[perm].astype(np.int64))
    with open(os.path.join(MODELS_DIR, "fashion_mnist.labels"), "w") as f:
        f.write("\n".join(fm.CLASSES) + "\n")
    img, lab = fm.paths("test")
    timg, tlab = fm.paths("train")
    meta = OrderedDict([
        ("dataset", "Fashion-MNIST"),
        ("input_name", "input"),
        ("input_shape", ["N", 1, 28, 28]),
        ("layout", "NCHW"),
        ("dtype", "float32"),
        ("mean", fm.MEAN),
        ("std", fm.STD),
        ("normalisation", "(pixel / 255 - mean) / std, applied outside the model"),
        ("output_name", "logits"),
        ("output_shape", ["N", 10]),
        ("output", "logits (no softmax)"),
        ("labels", "fashion_mnist.labels"),
        ("test_images", img),
        ("test_labels", lab),
        ("train_images", timg),
        ("train_labels", tlab),
        ("calibration", "calibration_500.npy"),
        ("calibration_labels", "calibration_500.labels.npy"),
        ("calibration_selection",
         f"first 500 of numpy.random.RandomState({SEED}).permutation(60000) of the training set, normalised"),
        ("models", load_meta().get("models", OrderedDict())),
    ])
    save_meta(meta)


README_HEAD = """# Fashion-MNIST models

Small CNNs trained on Fashion-MNIST (Debian package `dataset-fashion-mnist`,
`/usr/share/datasets/fashion-mnist/*.gz`, 60,000 train / 10,000 test images,
28x28 grayscale, 10 classes) by `tools/train.py`, exported to ONNX with the
TorchScript exporter (opset 17, eval mode, `TrainingMode.PRESERVE`, constant
folding; BatchNormalization nodes are kept, not folded into the convs).

* **Input** `input`: float32 `[N, 1, 28, 28]` (NCHW, batch axis dynamic, named `N`),
  `(pixel / 255 - 0.2860) / 0.3530` -- the normalisation is *not* in the model;
  with the Octet CLI pass `--mean 0.2860 --std 0.3530` for image inputs.
* **Output** `logits`: float32 `[N, 10]`, no softmax. Class names, one per line in
  class-index order: `fashion_mnist.labels`.
* **Evaluation set**: the 10,000 test images and labels, read straight from
  `/usr/share/datasets/fashion-mnist/t10k-{images-idx3,labels-idx1}-ubyte.gz`
  (IDX format, gzip; no copies are committed). `fashion_mnist.json` records the
  paths, mean, std and shapes.
* **Calibration set**: `calibration_500.npy`, float32 `[500, 1, 28, 28]`, already
  normalised: the first 500 images of `numpy.random.RandomState(20240603).permutation(60000)`
  of the *training* set; their labels are in `calibration_500.labels.npy` (int64).

Accuracy is top-1 on the 10,000 test images, once in PyTorch (eval mode, from
the trained module) and once with onnxruntime (CPU) from the committed `.onnx`
file; the two must agree (train.py fails otherwise). MACs count the
multiply-accumulates of Conv and Gemm layers for one image; params count all
trainable parameters (BN included). ORT's own int8 accuracy on these models is
in `docs/ORT_INT8_ACCURACY.md`.

| model | architecture | torch top-1 | onnxruntime top-1 | params | MACs | .onnx bytes | opset | BN nodes | epochs | train time |
|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
"""

README_TAIL = """
Architecture notes (definitions in `tools/train.py`):

* All models take the 28x28 input as is (no resizing or padding layer). LeNet-5's
  first conv pads by 2, which is the original 32x32 geometry.
* ResNet-18/-50 and ResNeXt use a 3x3 stem conv + 3x3/2 max pool (the 28-px analogue
  of the ImageNet 7x7/2 conv + max pool), torchvision-style stride on the 3x3 conv
  and 1x1 conv + BN projection shortcuts; ResNet-50 keeps the 3-4-6-3 bottleneck
  layout (widths 12-24-48-96, expansion 4); ResNeXt has 3 stages of 3 bottlenecks
  with 8-group 3x3 convs.
* MobileNetV1 uses ReLU6 after every BN (exported as `Clip`); MobileNetV2 has a
  stride-2 stem (as the original) and linear (no activation) projection convs, with
  residual `Add`s where shapes match.
* DenseNet-BC is pre-activation: each dense layer and transition starts with
  BN + ReLU applied to the concatenated features, so 15 of its 27 BatchNormalization
  nodes follow a Concat or pool instead of a Conv and cannot be folded backwards.
* BagNet follows Brendel & Bethge (2019) scaled to 28 px: a 1x1 + unpadded 3x3 stem,
  then 3-4-6-3 bottlenecks in which only the first block of stages 1 and 2 has a
  (stride-2, unpadded) 3x3 conv; all other convs are 1x1. Each output position sees
  a 9x9 patch (BagNet-9, about a third of the image width); where an unpadded 3x3
  shrinks the residual branch the shortcut is cropped (exported as Shape/Slice
  arithmetic, as the original code's `residual[:, :, :-diff, :-diff]` is). The 3x3
  grid of patch features is averaged before the linear classifier, which equals
  averaging per-patch logits. The limited receptive field costs it ~5 points of
  accuracy against the full-image ResNets.

Op types in the graphs:

{ops}

## Reproducing

Everything above is produced by one command (torch {torch}, onnx {onnx},
onnxruntime {ort}, see `tools/requirements-torch.txt`). The *train time* column
is wall time on one CPU thread of a shared 2-core machine that was busy with
other jobs during most of the run ({minutes} minutes in all; a quiet machine
needs noticeably less):

    .venv/bin/python tools/train.py

`--only NAME ...` retrains some models, `--export-only` re-exports and re-verifies
from the checkpoints in `models/checkpoints/` (git-ignored) without training,
`--verify-only` just re-evaluates the committed `.onnx` files with onnxruntime.
Seeds are fixed (per model `{seed} + index`) and torch's deterministic
algorithms are on; identical weights need the same torch build, CPU and
`--threads` (default 1). Retraining `lenet5` and `vgg_small` this way reproduced
bit-identical weights, and `--export-only` byte-identical `.onnx` files.

Checking the committed `.onnx` files against the accuracies recorded in
`fashion_mnist.json` (onnxruntime on the 10,000 test images; exits non-zero on
a mismatch; no training, no checkpoints needed):

    .venv/bin/python tools/train.py --verify-only

`tools/ort_quantize.py`, which needs only onnxruntime, re-checks the float
accuracies too before quantizing (see `docs/ORT_INT8_ACCURACY.md`).
"""


def write_readme() -> None:
    recorded = load_meta().get("models", {})
    rows = [dict(recorded[n], name=n) for n in MODELS if n in recorded]
    lines = [README_HEAD]
    train_s = 0.0
    for r in rows:
        train_s += r.get("train_seconds", 0.0)
        lines.append(
            f"| `{r['name']}.onnx` | {r['description']} | {100 * r['torch_acc']:.2f}% | "
            f"{100 * r['ort_acc']:.2f}% | {r['params']:,} | {r['macs'] / 1e6:.2f} M | "
            f"{r['bytes']:,} | {r['opset']} | {r['bn_nodes']} | {r['epochs']} | "
            f"{r.get('train_seconds', 0) / 60:.1f} min |\n")
    ops = "\n".join(f"* `{r['name']}`: {', '.join(r['op_types'])}" for r in rows)
    lines.append(README_TAIL.format(ops=ops, minutes=round(train_s / 60), torch=torch.__version__.split("+")[0],
                                    onnx=onnx.__version__, ort=ort.__version__, seed=SEED))
    with open(os.path.join(MODELS_DIR, "README.md"), "w") as f:
        f.write("".join(lines))


# --------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description="Train, export and verify the Fashion-MNIST models.")
    ap.add_argument("--only", nargs="+", metavar="NAME", help=f"only these ({', '.join(MODELS)})")
    ap.add_argument("--export-only", action="store_true",
                    help="do not train: load models/checkpoints/<name>.pt, export and verify")
    ap.add_argument("--verify-only", action="store_true",
                    help="only check the committed models/<name>.onnx against the accuracy recorded "
                         "in models/fashion_mnist.json (needs no torch training, no checkpoints)")
    ap.add_argument("--epochs", type=int, help="override every model's epoch count (for experiments)")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=1,
                    help="torch / onnxruntime CPU threads (default 1: on a shared machine one thread "
                         "is faster than two contending OpenMP threads; bit-identical weights need "
                         "the same value)")
    ap.add_argument("--bench", action="store_true", help="time a few training steps per model and exit")
    args = ap.parse_args()

    names = list(MODELS)
    if args.only:
        bad = [n for n in args.only if n not in MODELS]
        if bad:
            ap.error(f"unknown model(s): {', '.join(bad)}")
        names = [n for n in names if n in args.only]

    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    ckpt_dir = os.path.join(MODELS_DIR, "checkpoints")

    def log(msg):
        print(msg, flush=True)

    log(f"torch {torch.__version__}, onnx {onnx.__version__}, onnxruntime {ort.__version__}, "
        f"numpy {np.__version__}, threads {args.threads}")
    xte_np, yte = fm.load("test")
    xte = torch.from_numpy(xte_np)

    if args.verify_only:
        recorded = load_meta().get("models", {})
        ok = True
        for name in names:
            if name not in recorded:
                log(f"  {name}: no recorded accuracy in {META_PATH}")
                ok = False
                continue
            acc = float((evaluate_ort(os.path.join(MODELS_DIR, f"{name}.onnx"), xte_np,
                                      threads=args.threads).argmax(1) == yte).mean())
            good = acc == recorded[name]["ort_acc"]
            ok &= good
            log(f"  {name}: onnxruntime {acc:.4f}, recorded {recorded[name]['ort_acc']:.4f} "
                f"{'OK' if good else 'MISMATCH'}")
        return 0 if ok else 1

    xtr_raw, ytr_np = fm.load_raw("train")
    xtr = torch.from_numpy(fm.normalize(xtr_raw))
    ytr = torch.from_numpy(ytr_np)
    os.makedirs(ckpt_dir, exist_ok=True)
    write_data_files(xtr_raw, ytr_np)

    if args.bench:
        for name in names:
            torch.manual_seed(0)
            model = MODELS[name][0]().to(memory_format=torch.channels_last)
            opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
            g = torch.Generator().manual_seed(0)
            model.train()
            ts = []
            for i in range(6):
                t = time.time()
                xb = augment(xtr[i * args.batch:(i + 1) * args.batch], g)
                xb = xb.contiguous(memory_format=torch.channels_last)
                loss = F.cross_entropy(model(xb), ytr[i * args.batch:(i + 1) * args.batch])
                opt.zero_grad()
                loss.backward()
                opt.step()
                ts.append(time.time() - t)
            step = float(np.median(ts[1:]))
            log(f"{name:16s} {count_params(model):9d} params {count_macs(model) / 1e6:7.2f} M MACs "
                f"{step * 1000:7.1f} ms/step  -> {step * math.ceil(60000 / args.batch):6.1f} s/epoch")
        return 0

    t_all = time.time()
    for name in names:
        ckpt = os.path.join(ckpt_dir, f"{name}.pt")
        if args.export_only:
            saved = torch.load(ckpt, map_location="cpu")
            model = MODELS[name][0]()
            model.load_state_dict(saved["state_dict"])
            model.eval()
            info = saved["info"]
            log(f"exporting {name} from {ckpt}")
        else:
            log(f"training {name}: {MODELS[name][3]}")
            model, info = train_one(name, xtr, ytr, xte, torch.from_numpy(yte), args.epochs, args.batch, log)
            torch.save({"state_dict": model.state_dict(), "info": info}, ckpt)
        row = export_and_verify(name, model, xte, yte, args.threads, log)
        row.update(info)
        row.pop("name")
        meta = load_meta()
        meta.setdefault("models", OrderedDict())[name] = row
        meta["models"] = OrderedDict((n, meta["models"][n]) for n in MODELS if n in meta["models"])
        save_meta(meta)
    write_readme()
    log(f"wrote models/README.md and models/fashion_mnist.json ({time.time() - t_all:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
