"""An ONNX file as a PyTorch module that Zennit can hook, for the peer comparison (see README.md).

Every node with parameters or a relevance rule of its own becomes a torch module (Conv2d, Linear,
BatchNorm, ReLU, pooling, zennit's Sum for Add, an Affine module for elementwise maps by constants);
shape arithmetic (Shape, Gather, Unsqueeze, Concat of shapes, Reshape, Flatten, Transpose) runs as plain
torch functions in forward(), so autograd carries gradient and relevance through it unchanged. The modern
CNN ops become the modules torch exported them from: Sigmoid, HardSigmoid, HardSwish, SiLU (Mul(x,
Sigmoid(x))), hard swish (Mul(x, HardSigmoid(x))), GELU (its Erf decomposition), LayerNormalization (a
LayerNorm whose σ the LRP composites hold constant), MatMul + Add of a bias (one Linear); any other Mul of
two activations is a Product, whose factor that is a squeeze-excite gate is found as METHODS.md says. Only
the ops our own ONNX import accepts are understood; anything else stops with the node's name and op.
"""
import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper

try:
    from zennit.layer import Sum
except ImportError:  # the forward pass alone needs no zennit
    class Sum(nn.Module):
        def forward(self, input):
            return torch.sum(input, dim=-1)


class Affine(nn.Module):
    """y = x * scale + offset with constant (broadcast) tensors: an input normalisation inside the model."""

    def __init__(self, scale, offset):
        super().__init__()
        self.register_buffer('scale', scale)
        self.register_buffer('offset', offset)

    def forward(self, x):
        return x * self.scale + self.offset


class Add(nn.Module):
    """x1 + ... + xn as zennit's Sum over a stacked last axis, so that the Norm rule splits relevance."""

    def __init__(self):
        super().__init__()
        self.sum = Sum()

    def forward(self, *xs):
        shape = torch.broadcast_shapes(*[x.shape for x in xs])
        return self.sum(torch.stack([x.expand(shape) for x in xs], dim=-1))


class HardSigmoid(nn.Module):
    """clip(alpha * x + beta, 0, 1), ONNX's HardSigmoid (torch's Hardsigmoid is alpha 1/6, beta 1/2)."""

    def __init__(self, alpha, beta):
        super().__init__()
        self.alpha, self.beta = alpha, beta

    def forward(self, x):
        return torch.clamp(self.alpha * x + self.beta, 0, 1)


class Product(nn.Module):
    """a * b of two activations (broadcasting); `gate` is the index of the factor that is a gate, or None."""

    def __init__(self, gate):
        super().__init__()
        self.gate = gate

    def forward(self, a, b):
        return a * b


class LayerNorm(nn.Module):
    """LayerNorm over the last axis; with `hold_std` (set for LRP) sigma is detached: the map is affine in x."""

    def __init__(self, weight, bias, eps):
        super().__init__()
        self.weight = nn.Parameter(weight)
        self.bias = nn.Parameter(bias) if bias is not None else None
        self.eps = eps
        self.hold_std = False

    def forward(self, x):
        centred = x - x.mean(-1, keepdim=True)
        std = torch.sqrt(centred.pow(2).mean(-1, keepdim=True) + self.eps)
        if self.hold_std:
            std = std.detach()
        y = centred / std * self.weight
        return y + self.bias if self.bias is not None else y


SQUASHES = ('Sigmoid', 'HardSigmoid')
ELEMENTWISE = ('Relu', 'Clip', 'LeakyRelu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Add', 'Sub', 'Mul', 'Div')


def attributes(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def symmetric(pads):
    """ONNX pads [top, left, bottom, right] as torch padding (h, w) when symmetric, else None."""
    top, left, bottom, right = pads
    return (top, left) if (top, left) == (bottom, right) else None


class AnyBatchNorm(nn.BatchNorm2d):
    """BatchNorm over the channel axis of a 2-D or 4-D input (ONNX has one BatchNormalization op for both)."""

    def _check_input_dim(self, input):
        pass


def fold_batch_norm(linear, bn):
    """BatchNorm folded into the Conv/Linear before it (METHODS.md: rules see one affine layer)."""
    scale = bn.weight.data / torch.sqrt(bn.running_var.data + bn.eps)
    shape = (-1,) + (1,) * (linear.weight.dim() - 1)
    linear.weight.data = linear.weight.data * scale.view(shape)
    bias = linear.bias.data if linear.bias is not None else torch.zeros_like(scale)
    if linear.bias is None:
        linear.bias = nn.Parameter(torch.zeros_like(scale))
    linear.bias.data = (bias - bn.running_mean.data) * scale + bn.bias.data


class OnnxModule(nn.Module):
    def __init__(self, path):
        super().__init__()
        model = onnx.load(path)
        graph = model.graph
        self.constants = {t.name: torch.tensor(numpy_helper.to_array(t).copy()) for t in graph.initializer}
        known = set(self.constants)
        self.input_name = next(i.name for i in graph.input if i.name not in known)
        self.output_name = graph.output[0].name
        self.steps = []  # (key, node)
        self.modules_by_node = nn.ModuleDict()
        readers = {}
        for node in graph.node:
            for name in node.input:
                readers[name] = readers.get(name, 0) + 1
        self.node_of = {out: node for node in graph.node for out in node.output}
        for node in graph.node:
            # torch.onnx.export writes Clip bounds and scalars as Constant nodes: known at build time.
            if node.op_type == 'Constant':
                self.constants[node.output[0]] = torch.tensor(numpy_helper.to_array(attributes(node)['value']).copy())
        self.patterns = self.find_patterns(graph)
        producer = {}
        for index, node in enumerate(graph.node):
            key = f'n{index}_{node.op_type}'
            module = self.patterns.get(node.output[0]) or self.module_for(node)
            if (node.op_type == 'Add' and isinstance(module, Affine) and source_linear(producer, node, self) is not None
                    and readers.get(data_input(node, self)) == 1):
                # MatMul + Add of a constant: nn.Linear's bias, as our loader reads it.
                linear = source_linear(producer, node, self)
                linear.bias = nn.Parameter(module.offset.reshape(-1).float().clone())
                self.steps.append((None, node))
                continue
            source = producer.get(node.input[0]) if node.input else None
            if (isinstance(module, AnyBatchNorm) and source and isinstance(source[1], (nn.Conv2d, nn.Linear))
                    and readers.get(node.input[0]) == 1):
                fold_batch_norm(source[1], module)
                self.steps.append((None, node))  # now an identity
                continue
            if module is not None:
                self.modules_by_node[key] = module
                producer[node.output[0]] = (key, module)
            self.steps.append((key, node))
        # A final Softmax/LogSoftmax is not explained through (METHODS.md: f_c is the logit).
        last = graph.node[-1]
        if last.op_type in ('Softmax', 'LogSoftmax'):
            self.output_name = last.input[0]
            self.steps.pop()

    def const(self, name):
        return self.constants.get(name)

    def find_patterns(self, graph):
        """Activations torch writes as several nodes: {output name: module}; SiLU, hard swish, GELU."""
        found = {}
        for node in graph.node:
            if node.op_type != 'Mul' or len(node.input) != 2 or any(self.const(n) is not None for n in node.input):
                continue
            a, b = node.input
            for x, other in ((a, b), (b, a)):
                p = self.node_of.get(other)
                if p is not None and p.op_type == 'Sigmoid' and p.input[0] == x:
                    found[node.output[0]] = nn.SiLU()
                if p is not None and p.op_type == 'HardSigmoid' and p.input[0] == x:
                    found[node.output[0]] = nn.Hardswish()
        for node in graph.node:
            # GELU as torch exports nn.GELU: Mul(Mul(x, Add(Erf(Div(x, sqrt 2)), 1)), 0.5).
            if node.op_type != 'Mul' or self.const(node.input[1]) is None:
                continue
            inner = self.node_of.get(node.input[0])
            if inner is None or inner.op_type != 'Mul':
                continue
            add = self.node_of.get(inner.input[1])
            erf = self.node_of.get(add.input[0]) if add is not None and add.op_type == 'Add' else None
            div = self.node_of.get(erf.input[0]) if erf is not None and erf.op_type == 'Erf' else None
            if div is not None and div.op_type == 'Div' and div.input[0] == inner.input[0]:
                found[node.output[0]] = nn.GELU()
                found[('gelu-input', node.output[0])] = inner.input[0]
        return found

    def gate_of(self, node):
        """Which factor of Mul(a, b) is a gate: a Sigmoid/HardSigmoid whose input is not an elementwise
        function of anything the other factor is one of (METHODS.md); exactly one, else None."""
        def sources(name, seen=None):
            seen = set() if seen is None else seen
            if name in seen:
                return seen
            seen.add(name)
            p = self.node_of.get(name)
            if p is not None and p.op_type in ELEMENTWISE:
                for n in p.input:
                    if n and self.const(n) is None:
                        sources(n, seen)
            return seen
        gates = []
        for k, name in enumerate(node.input):
            p = self.node_of.get(name)
            if p is None or p.op_type not in SQUASHES:
                gates.append(False)
                continue
            gates.append(not (sources(p.input[0]) & sources(node.input[1 - k])))
        return (0 if gates[0] else 1) if gates[0] != gates[1] else None

    def module_for(self, node):
        op, a = node.op_type, attributes(node)
        c = lambda i: self.const(node.input[i]) if len(node.input) > i and node.input[i] else None
        if op == 'Conv':
            w, b = c(1), c(2)
            pads = list(a.get('pads', [0, 0, 0, 0]))
            pad = symmetric(pads)
            conv = nn.Conv2d(w.shape[1] * a.get('group', 1), w.shape[0], tuple(w.shape[2:]), stride=tuple(a.get('strides', [1, 1])),
                             padding=pad if pad else 0, dilation=tuple(a.get('dilations', [1, 1])), groups=a.get('group', 1), bias=b is not None)
            conv.weight.data = w.float()
            if b is not None:
                conv.bias.data = b.float()
            conv.explicit_pads = None if pad else pads
            return conv
        if op == 'Gemm':
            w, b = c(1), c(2)
            if a.get('transA', 0):
                raise ValueError(f'{node.name}: Gemm with transA is not handled here')
            w = w if a.get('transB', 0) else w.t()
            w = w * a.get('alpha', 1.0)
            linear = nn.Linear(w.shape[1], w.shape[0], bias=b is not None)
            linear.weight.data = w.float().contiguous()
            if b is not None:
                linear.bias.data = (b * a.get('beta', 1.0)).float()
            return linear
        if op == 'MatMul' and c(1) is not None:
            w = c(1)
            linear = nn.Linear(w.shape[0], w.shape[1], bias=False)
            linear.weight.data = w.t().float().contiguous()
            return linear
        if op == 'BatchNormalization':
            scale, bias, mean, var = c(1), c(2), c(3), c(4)
            bn = AnyBatchNorm(scale.shape[0], eps=a.get('epsilon', 1e-5))
            bn.weight.data, bn.bias.data = scale.float(), bias.float()
            bn.running_mean.data, bn.running_var.data = mean.float(), var.float()
            bn.eval()
            return bn
        if op == 'Relu':
            return nn.ReLU()
        if op == 'Sigmoid':
            return nn.Sigmoid()
        if op == 'Tanh':
            return nn.Tanh()
        if op == 'HardSigmoid':
            return HardSigmoid(a.get('alpha', 0.2), a.get('beta', 0.5))
        if op == 'HardSwish':
            return nn.Hardswish()
        if op == 'LayerNormalization':
            if a.get('axis', -1) != -1:
                raise ValueError(f'{node.name}: LayerNormalization over several axes is not handled here')
            return LayerNorm(c(1).float(), c(2).float() if c(2) is not None else None, a.get('epsilon', 1e-5))
        if op == 'Mul' and c(0) is None and c(1) is None:
            return Product(self.gate_of(node))
        if op == 'Clip':
            # Bounds: inputs from opset 11 (absent: none), attributes before. ReLU6 and Hardtanh are the
            # modules torch exported them from (Zennit treats both as activations: Pass under LRP, and its
            # GuidedBackprop/DeconvNet hook torch.nn.ReLU only).
            low = c(1) if c(1) is not None else a.get('min', float('-inf'))
            high = c(2) if c(2) is not None else a.get('max', float('inf'))
            low, high = float(low), float(high)
            if low == 0 and high == float('inf'):
                return nn.ReLU()
            return nn.ReLU6() if (low, high) == (0.0, 6.0) else nn.Hardtanh(low, high)
        if op == 'LeakyRelu':
            return nn.LeakyReLU(a.get('alpha', 0.01))
        if op == 'MaxPool':
            pads = list(a.get('pads', [0, 0, 0, 0]))
            pool = nn.MaxPool2d(tuple(a['kernel_shape']), stride=tuple(a.get('strides', a['kernel_shape'])),
                                padding=symmetric(pads) or 0, ceil_mode=bool(a.get('ceil_mode', 0)))
            pool.explicit_pads = None if symmetric(pads) else pads
            return pool
        if op == 'AveragePool':
            pads = list(a.get('pads', [0, 0, 0, 0]))
            pool = nn.AvgPool2d(tuple(a['kernel_shape']), stride=tuple(a.get('strides', a['kernel_shape'])),
                                padding=symmetric(pads) or 0, ceil_mode=bool(a.get('ceil_mode', 0)),
                                count_include_pad=bool(a.get('count_include_pad', 0)))
            if not symmetric(pads):
                raise ValueError(f'{node.name}: asymmetric AveragePool pads are not handled here')
            return pool
        if op == 'GlobalAveragePool':
            return nn.AdaptiveAvgPool2d(1)
        if op == 'GlobalMaxPool':
            return nn.AdaptiveMaxPool2d(1)
        if op in ('Add', 'Sub', 'Mul', 'Div'):
            k = c(1) if c(1) is not None else c(0)
            if k is None:
                return Add() if op == 'Add' else None
            k = k.float()
            scale, offset = {
                'Add': (torch.ones_like(k), k), 'Sub': (torch.ones_like(k), -k),
                'Mul': (k, torch.zeros_like(k)), 'Div': (1 / k, torch.zeros_like(k)),
            }[op]
            return Affine(scale, offset)
        return None

    def forward(self, x):
        values = dict(self.constants)
        values[self.input_name] = x
        self.values_for_gelu = _GeluInputs(values, self.patterns)
        for key, node in self.steps:
            ins = [values[n] if n else None for n in node.input]
            if key is None:  # a BatchNorm folded into the layer before it, or a bias Add into its Linear
                values[node.output[0]] = values[data_input(node, self)]
                continue
            module = self.modules_by_node[key] if key in self.modules_by_node else None
            values[node.output[0]] = self.run(node, module, ins)
        return values[self.output_name]

    def run(self, node, module, ins):
        op, a = node.op_type, attributes(node)
        if isinstance(module, nn.GELU):
            return module(self.values_for_gelu[node.output[0]])
        if isinstance(module, (nn.SiLU, nn.Hardswish)) and op == 'Mul':
            a_, b_ = node.input
            x_name = a_ if self.node_of.get(b_) is not None and self.node_of[b_].input[0] == a_ else b_
            return module(ins[0] if x_name == a_ else ins[1])
        if isinstance(module, Product):
            return module(ins[0], ins[1])
        if op == 'Transpose':
            return ins[0].permute(*a['perm'])
        if op in ('Conv', 'MaxPool'):
            x = ins[0]
            if module.explicit_pads:
                top, left, bottom, right = module.explicit_pads
                x = F.pad(x, (left, right, top, bottom), value=0.0 if op == 'Conv' else float('-inf'))
            return module(x)
        if op == 'MatMul' and module is not None:
            return module(ins[0])
        if op == 'Add' and isinstance(module, Add):
            return module(ins[0], ins[1])
        if module is not None:
            return module(ins[0] if self.const(node.input[0]) is None else ins[1])
        if op in ('Identity', 'Dropout'):
            return ins[0]
        if op == 'Flatten':
            axis = a.get('axis', 1)
            return ins[0].reshape(int(np.prod(ins[0].shape[:axis])), -1)
        if op == 'Reshape':
            shape = [int(d) for d in ins[1].tolist()]
            shape = [ins[0].shape[i] if d == 0 else d for i, d in enumerate(shape)]
            return ins[0].reshape(shape)
        if op == 'Shape':
            return torch.tensor(ins[0].shape, dtype=torch.int64)
        if op == 'Gather':
            return torch.index_select(ins[0], a.get('axis', 0), ins[1].reshape(-1).long()).reshape(ins[1].shape if ins[1].dim() else ())
        if op == 'Unsqueeze':
            axes = a['axes'] if 'axes' in a else ins[1].tolist()
            out = ins[0]
            for axis in sorted(axes):
                out = out.unsqueeze(axis)
            return out
        if op == 'Concat':
            return torch.cat(ins, dim=a['axis'])
        if op == 'Constant':
            return torch.tensor(numpy_helper.to_array(a['value']).copy())
        if op == 'Erf':  # inside a GELU pattern, whose output is computed by nn.GELU
            return torch.erf(ins[0])
        if op == 'Pad':
            pads = a['pads'] if 'pads' in a else ins[1].tolist()
            value = (a.get('value', 0.0) if 'value' in a else (float(ins[2]) if len(ins) > 2 and ins[2] is not None else 0.0))
            n = len(pads) // 2
            torch_pads = []
            for axis in reversed(range(n)):
                torch_pads += [pads[axis], pads[axis + n]]
            return F.pad(ins[0], torch_pads, value=value)
        raise ValueError(f'node {node.name!r} ({op}) is not handled by the peer script')


class _GeluInputs:
    """The GELU pattern's input tensor by the pattern's output name (looked up when the pattern's last node runs)."""

    def __init__(self, values, patterns):
        self.values, self.patterns = values, patterns

    def __getitem__(self, output):
        return self.values[self.patterns[('gelu-input', output)]]


def data_input(node, net):
    """The one non-constant input of a node."""
    return next(n for n in node.input if n and net.const(n) is None)


def source_linear(producer, node, net):
    """The Linear (from a MatMul without bias) that feeds this Add, if any."""
    source = producer.get(data_input(node, net))
    if source is None or not isinstance(source[1], nn.Linear) or source[1].bias is not None:
        return None
    return source[1]
