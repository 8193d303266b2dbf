"""Peer runtimes for the benchmark: onnxruntime and LiteRT (TFLite + XNNPACK) behind one interface.

Imported by tools/bench_peers.py (run it in the benchmark venv, tools/requirements-bench.txt):

    runner = LiteRTRunner("out/litert/resnet18.int8.tflite", threads=1)
    runner.prepare(x_nchw)        # input set once, outside the timed region
    runner.run()                  # one inference: this is what the caller times
    y = runner.output()           # float32 output as numpy

Contract shared by OrtRunner and LiteRTRunner: prepare() takes the NCHW float32 input with batch
1 (the ONNX layout; LiteRTRunner transposes it to NHWC there, untimed), run() executes exactly one
inference and nothing else, output() returns the model's float32 output [1, classes].

Also here: ort_quantize_qdq() (onnxruntime's static U8S8 QDQ quantization, the same configuration
as tools/ort_quantize.py) and xnnpack_report() (how much of a .tflite graph LiteRT hands to XNNPACK).

XNNPACK: ai_edge_litert's Interpreter applies the XNNPACK delegate by default (op resolver AUTO;
it logs "INFO: Created TensorFlow Lite XNNPACK delegate for CPU."). Checked with xnnpack_report()
on all 15 fp32 and int8 models built by tools/onnx_to_keras.py (ai-edge-litert 2.3.0): every
model becomes a single DELEGATE node whose inputs are the model input and constant tensors only
and whose output is the model output, i.e. every op -- QUANTIZE, int8 CONV_2D / DEPTHWISE_CONV_2D
(including ResNeXt's grouped CONV_2D), ADD, MAX_POOL_2D, MEAN, STRIDED_SLICE,
CONCATENATION, TRANSPOSE, RESHAPE, FULLY_CONNECTED, MUL, PAD, DEQUANTIZE -- runs in XNNPACK.
One exception found and fixed in the converter: XNNPACK's TFLite delegate takes AVERAGE_POOL_2D
in float32 only, so an int8 AVERAGE_POOL_2D (DenseNet's transitions, BagNet's final pooling)
ran on the TFLite reference kernel and split the graph into 2-3 delegate partitions;
tools/onnx_to_keras.py now emits those pools as MEAN or as a depthwise convolution with constant
weights. LiteRTRunner(check_xnnpack=True) (the default) raises if a model is not fully delegated.
"""
from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ort_quantize import WarningCollector  # noqa: E402
from ort_quantize import quantize as _ort_quantize  # noqa: E402  (U8S8 QDQ, MinMax, reused as-is)
from onnxruntime.quantization.shape_inference import quant_pre_process  # noqa: E402


# --------------------------------------------------------------------------- calibration / quantization

def ort_quantize_qdq(onnx_path: str, calibration_nchw: np.ndarray, out_path: str) -> list[str]:
    """onnxruntime static int8 quantization, the configuration of tools/ort_quantize.py (MinMax).

    quant_pre_process (symbolic shape inference + ORT basic optimisation, which folds BN into
    Conv), then quantize_static(QuantFormat.QDQ, per_channel=True, reduce_range=False,
    activation_type=QUInt8, weight_type=QInt8, MinMax) -- both through tools/ort_quantize.py's
    own quantize(), calibration data fed in batches of 50 by its NpyReader. calibration_nchw is
    float32 [N, C, H, W], normalised like the model input. Returns the quantizer's distinct logged
    warnings (collected, not printed; e.g. DenseNet's unfolded BatchNormalization scales).
    """
    collector = WarningCollector()
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            pre = os.path.join(tmp, "pre.onnx")
            quant_pre_process(onnx_path, pre)
            input_name = onnx.load(pre).graph.input[0].name
            name = os.path.splitext(os.path.basename(onnx_path))[0]
            with contextlib.redirect_stdout(io.StringIO()):  # the calibrator prints progress
                _ort_quantize(pre, out_path, np.asarray(calibration_nchw, np.float32), input_name,
                              "MinMax", tmp, name)
    finally:
        root.removeHandler(collector)
    return sorted(set(collector.messages))


# --------------------------------------------------------------------------- runners

class OrtRunner:
    """onnxruntime CPUExecutionProvider, all graph optimisations, sequential execution."""

    def __init__(self, path: str, threads: int):
        so = ort.SessionOptions()
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        so.log_severity_level = 3
        self.session = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name
        self.feed: dict | None = None
        self.result: list | None = None

    def prepare(self, x_nchw: np.ndarray) -> None:
        """Sets the NCHW float32 input (batch 1) once, outside timing."""
        self.feed = {self.input_name: np.ascontiguousarray(x_nchw, np.float32)}

    def run(self) -> None:
        self.result = self.session.run(None, self.feed)

    def output(self) -> np.ndarray:
        return self.result[0]


class LiteRTRunner:
    """ai_edge_litert Interpreter (XNNPACK delegate applied by default), input NHWC float32."""

    def __init__(self, path: str, threads: int, check_xnnpack: bool = True):
        from ai_edge_litert.interpreter import Interpreter
        self.interpreter = Interpreter(model_path=path, num_threads=threads)
        self.interpreter.allocate_tensors()
        self.input_index = self.interpreter.get_input_details()[0]["index"]
        self.output_index = self.interpreter.get_output_details()[0]["index"]
        if check_xnnpack:
            report = xnnpack_report(self.interpreter)
            if not report["fully_delegated"]:
                raise RuntimeError(f"{path}: not fully delegated to XNNPACK: {report}")

    def prepare(self, x_nchw: np.ndarray) -> None:
        """Sets the input once, outside timing: NCHW [1, C, H, W] -> NHWC [1, H, W, C]."""
        x = np.ascontiguousarray(np.asarray(x_nchw, np.float32).transpose(0, 2, 3, 1))
        self.interpreter.set_tensor(self.input_index, x)

    def run(self) -> None:
        self.interpreter.invoke()

    def output(self) -> np.ndarray:
        return self.interpreter.get_tensor(self.output_index).copy()


def xnnpack_report(interpreter) -> dict:
    """Which ops of an allocated LiteRT interpreter run inside the XNNPACK delegate.

    After delegation the interpreter still lists the original ops, followed by one DELEGATE node
    per delegated partition. The graph is fully delegated when there is exactly one DELEGATE node,
    it produces every model output and it reads only model inputs and constant tensors (a tensor
    no op produces); any op left outside XNNPACK would feed or consume it through other tensors.
    """
    ops = interpreter._get_ops_details()  # no public API lists the execution plan
    delegates = [op for op in ops if op["op_name"] == "DELEGATE"]
    produced = {int(t) for op in ops if op["op_name"] != "DELEGATE" for t in op["outputs"]}
    inputs = {d["index"] for d in interpreter.get_input_details()}
    outputs = {d["index"] for d in interpreter.get_output_details()}
    full = (len(delegates) == 1
            and outputs <= {int(t) for t in delegates[0]["outputs"]}
            and all(int(t) in inputs or int(t) not in produced for t in delegates[0]["inputs"] if t >= 0))
    op_types = sorted({op["op_name"] for op in ops if op["op_name"] != "DELEGATE"})
    return {"delegate_nodes": len(delegates), "fully_delegated": full, "op_types": op_types}
