#!/usr/bin/env python3
"""Zennit on the same model and input as Explain Image: maps (for correctness checks) and timings.

    python3 test/bench/peer/zennit_peer.py <model.onnx> --input <x.npy | image.png> [--card card.json]
        [--methods seed] [--batches 1,16] [--repeats 5] [--threads 2] [--json out.json]

Needs PyTorch, onnx and Zennit 0.5.1 (`pip install zennit==0.5.1 onnx`); not part of `npm test`. The ONNX
file is turned into torch modules by onnx_torch.py; the rules follow METHODS.md, which is Zennit's
vocabulary with these settings: every stabiliser ε₀ = 1e-9 (sign(0) = +1, as Zennit's Stabilizer), biases
left out of z⁺, αβ, w² and flat (zero_params='bias'), z^B with the box of every channel after the card's
mean/std and the model's own input maps, Norm on Add (zennit.layer.Sum) and average pooling, Pass on ReLU,
ReLU6/Hardtanh (ONNX Clip), LeakyReLU, the smooth activations (Sigmoid, Tanh, HardSigmoid, Hardswish, SiLU,
GELU: zennit.types.Activation) and on elementwise input maps, LRP-0 (Epsilon at ε₀) on a BatchNorm that could
not be folded and on a LayerNorm with its σ held constant (AttnLRP's rule; the gradient methods differentiate σ),
and at a product of two activations the SignalOnlyGate rule of Pahde et al. (2023) on a squeeze-excite gate
(the other factor gets all the relevance, the gate none) or halves (AttnLRP's uniform rule) without a gate.
`--input` is the model input itself (N, C, H, W float32 .npy, already normalised), or an image file that is
read as the CLI reads a model-sized image with `--preprocess none` (8 bits → inputRange → mean/std).
"""
import argparse
import json
import sys
import time

import numpy as np
import torch

from onnx_torch import Add, Affine, AnyBatchNorm, HardSigmoid, LayerNorm, OnnxModule, Product

SEED = ['sensitivity', 'guided-backprop', 'simple-taylor', 'deep-taylor', 'lrp-a1.2b0.2', 'lrp-a1.5b0.5', 'lrp-a2b1']
EPS0 = 1e-9


def load_input(path, card, shape):
    if path.endswith('.npy'):
        return torch.tensor(np.load(path), dtype=torch.float32)
    from PIL import Image
    channels = shape[1]
    img = np.asarray(Image.open(path).convert('RGB' if channels == 3 else 'L'), dtype=np.float64)
    img = img.reshape(img.shape[0], img.shape[1], channels)
    low, high = card.get('inputRange') or [0, 1]
    x = low + (high - low) * img / 255
    mean = np.broadcast_to(np.array(card.get('mean', 0.0), dtype=np.float64), (channels,))
    std = np.broadcast_to(np.array(card.get('std', 1.0), dtype=np.float64), (channels,))
    x = (x - mean) / std
    return torch.tensor(x.transpose(2, 0, 1)[None], dtype=torch.float32)


def box_images(card, channels):
    """The card's range after mean/std, per channel, as (low, high) of shape (1, C, 1, 1); None if unbounded."""
    if card.get('inputRange', [0, 1]) is None:
        return None
    low, high = card.get('inputRange') or [0, 1]
    mean = np.broadcast_to(np.array(card.get('mean', 0.0), dtype=np.float64), (channels,))
    std = np.broadcast_to(np.array(card.get('std', 1.0), dtype=np.float64), (channels,))
    as_t = lambda v: torch.tensor(v, dtype=torch.float32).view(1, channels, 1, 1)
    return as_t((low - mean) / std), as_t((high - mean) / std)


def first_layers(net):
    """Conv/Linear modules whose input is the model input through input maps only (METHODS.md "Graphs")."""
    reached = {net.input_name}
    first = []
    for key, node in net.steps:
        module = net.modules_by_node[key] if key in net.modules_by_node else None
        data = [n for n in node.input if n and net.const(n) is None]
        if not data or data[0] not in reached:
            continue
        if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
            first.append(module)
        elif key is None or isinstance(module, Affine) or node.op_type in ('Identity', 'Dropout', 'Pad'):
            reached.add(node.output[0])
    return first


def first_layer_boxes(net, first, low_image, high_image):
    """Each first layer's z^B box: its input when the model sees the low / high image (padding included)."""
    seen = {}
    hooks = [m.register_forward_hook(lambda m, i, o, tag=None: seen.setdefault(id(m), []).append(i[0].detach())) for m in first]
    with torch.no_grad():
        net(low_image)
        net(high_image)
    for h in hooks:
        h.remove()
    return {id(m): (torch.minimum(*seen[id(m)]), torch.maximum(*seen[id(m)])) for m in first}


def product_rule():
    """A Zennit hook for Product(a, b): R to each factor by its share, summed over the axes it was broadcast along."""
    from zennit.core import Hook

    class ProductRule(Hook):
        def forward(self, module, input, output):
            self.stored_tensors['shapes'] = [t.shape for t in input]

        def backward(self, module, grad_input, grad_output):
            shares = (0.5, 0.5) if module.gate is None else ((0.0, 1.0) if module.gate == 0 else (1.0, 0.0))
            relevance = grad_output[0]
            out = []
            for share, shape in zip(shares, self.stored_tensors['shapes']):
                r = relevance * share
                axes = [i for i, (d, e) in enumerate(zip(shape, r.shape)) if d == 1 and e != 1]
                out.append(r.sum(axes, keepdim=True) if axes else r)
            return tuple(out)

    return ProductRule()


def composite_for(method, net, boxes):
    from zennit.core import Composite
    from zennit.rules import AlphaBeta, Epsilon, Norm, Pass, WSquare, ZBox, ZPlus

    first = set(boxes) if boxes is not None else set(id(m) for m in first_layers(net))

    def linear_rule(module):
        is_first = id(module) in first
        if method == 'deep-taylor':
            if is_first:
                if boxes is None:
                    return WSquare(stabilizer=EPS0, zero_params='bias')
                low, high = boxes[id(module)]
                return ZBox(low, high, stabilizer=EPS0)
            return ZPlus(stabilizer=EPS0, zero_params='bias')
        if method.startswith('lrp-a'):
            alpha, beta = (float(v) for v in method[len('lrp-a'):].split('b'))
            return AlphaBeta(alpha=alpha, beta=beta, stabilizer=EPS0, zero_params='bias')
        if method == 'lrp-z':
            return Epsilon(epsilon=EPS0)
        raise ValueError(f'no composite for {method}')

    def module_map(ctx, name, module):
        if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
            return linear_rule(module)
        activations = (torch.nn.ReLU, torch.nn.Hardtanh, torch.nn.LeakyReLU, torch.nn.Sigmoid, torch.nn.Tanh, torch.nn.SiLU,
                       torch.nn.Hardswish, torch.nn.GELU, HardSigmoid, Affine)  # Hardtanh: ReLU6 too
        if isinstance(module, activations):
            return Pass()
        if isinstance(module, Product):
            return product_rule()
        if isinstance(module, LayerNorm):
            return Epsilon(epsilon=EPS0)
        if isinstance(module, (torch.nn.AvgPool2d, torch.nn.AdaptiveAvgPool2d)) or type(module).__name__ == 'Sum':
            return Norm(stabilizer=EPS0)
        if isinstance(module, AnyBatchNorm):
            return Epsilon(epsilon=EPS0)
        return None

    return Composite(module_map=module_map)


def attribute(net, x, method, target, boxes):
    """Input maps (N, H, W) of `method` for class `target` (None: each row's prediction)."""
    x = x.clone().requires_grad_(True)
    if method in ('sensitivity', 'simple-taylor', 'gradient'):
        context = None
    elif method == 'guided-backprop':
        from zennit.composites import GuidedBackprop
        context = GuidedBackprop().context(net)
    else:
        context = composite_for(method, net, boxes).context(net)
    lrp = method not in ('sensitivity', 'simple-taylor', 'gradient', 'guided-backprop')
    for module in net.modules():
        if isinstance(module, LayerNorm):
            module.hold_std = lrp
    if context is not None:
        context.__enter__()
    try:
        logits = net(x)
        classes = logits.argmax(1) if target is None else torch.full((x.shape[0],), target, dtype=torch.long)
        seed = torch.zeros_like(logits)
        rows = torch.arange(x.shape[0])
        # LRP starts from R = f_c(x) at the target (METHODS.md); gradients from the one-hot.
        seed[rows, classes] = logits[rows, classes].detach() if lrp else 1.0
        (grad,) = torch.autograd.grad(logits, x, seed)
    finally:
        if context is not None:
            context.__exit__(None, None, None)
    if method == 'sensitivity':
        r = grad ** 2
    elif method == 'simple-taylor':
        r = x.detach() * grad
    else:
        r = grad
    return r.sum(1), logits.detach(), classes


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('model')
    parser.add_argument('--input', required=True)
    parser.add_argument('--card')
    parser.add_argument('--methods', default='seed')
    parser.add_argument('--target', type=int)
    parser.add_argument('--batches', default='')
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--json')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    card = json.load(open(args.card)) if args.card else {}
    net = OnnxModule(args.model).eval()
    for p in net.parameters():
        p.requires_grad_(False)
    methods = SEED if args.methods == 'seed' else args.methods.split(',')
    probe = load_input(args.input, card, [1, card.get('inputShape', [0, 0, 3])[2], 0, 0]) if not args.input.endswith('.npy') else None
    x = probe if probe is not None else load_input(args.input, card, None)
    channels = x.shape[1]
    first = first_layers(net)
    box = box_images(card, channels)
    boxes = None
    if box is not None:
        low_image = box[0].expand_as(x[:1]).contiguous()
        high_image = box[1].expand_as(x[:1]).contiguous()
        boxes = first_layer_boxes(net, first, low_image, high_image)
    out = {'model': args.model, 'input': args.input, 'torch': torch.__version__, 'threads': args.threads, 'results': []}
    for method in methods:
        r, logits, classes = attribute(net, x, method, args.target, boxes)
        row = {
            'method': method,
            'target': [int(c) for c in classes],
            'logits': logits.tolist(),
            'shape': list(r.shape[1:]),
            'relevance': r.reshape(r.shape[0], -1).tolist(),
            'relevanceSum': r.reshape(r.shape[0], -1).sum(1).tolist(),
        }
        for batch in [int(b) for b in args.batches.split(',') if b]:
            xb = x[:1].expand(batch, *x.shape[1:]).contiguous()
            # Two warm-ups: the first call at a new shape also sets up PyTorch's kernels for it.
            for _ in range(2):
                attribute(net, xb, method, args.target, boxes)
            times = []
            cpu = []
            for _ in range(args.repeats):
                start, start_cpu = time.perf_counter(), time.process_time()
                attribute(net, xb, method, args.target, boxes)
                times.append((time.perf_counter() - start) * 1000 / batch)
                cpu.append((time.process_time() - start_cpu) * 1000 / batch)
            row[f'ms_per_heatmap_b{batch}'] = float(np.median(times))
            # CPU time of the process (all threads): what the run costs whatever else the machine does.
            row[f'cpu_ms_per_heatmap_b{batch}'] = float(np.median(cpu))
        out['results'].append(row)
        timing = ' '.join(f'b{b}: {row[f"ms_per_heatmap_b{b}"]:.2f} ms' for b in [int(b) for b in args.batches.split(',') if b])
        print(f'{method:16} sum R {row["relevanceSum"][0]: .5g}  logit {logits[0, classes[0]]: .5g}  {timing}', file=sys.stderr)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(out, f)


if __name__ == '__main__':
    main()
