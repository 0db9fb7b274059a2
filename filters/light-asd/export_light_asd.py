#!/usr/bin/env python3
"""Export Light-ASD (Liao et al., CVPR 2023; MIT) as three ONNX graphs for avcurate.

The model runs as Columbia_test.py runs it (forward_audio_frontend, forward_visual_frontend,
forward_audio_visual_backend, then lossAV.FC and its speaking logit x[:, 1]), split so that the
lip-sync search over audio shifts runs the two front-ends once per clip and only the small
backend once per shift:

  light_asd_audio.onnx     mfcc (1, 4T, 13)                 -> audio_embed (1, T, 128)
  light_asd_visual.onnx    video (1, T, 112, 112) grey 0..255 -> visual_embed (1, T, 128)
  light_asd_backend.onnx   audio_embed (B, T, 128), visual_embed (B, T, 128) -> scores (B, T)

Usage (CPU PyTorch, onnx and onnxruntime from the local wheel store):
  python export_light_asd.py --weights ../../../shared/models/light-asd/pretrain_AVA_CVPR.model \
      --src ../../../shared/models/light-asd/src --out .

The audio encoder applies MaxPool3d((1,1,3)) to a 4-D tensor, which the ONNX exporter rejects;
MaxPool2d((1,3), (1,2), (0,1)) computes the same values and replaces it before the export.

The visual encoder's convolutions are all Conv3d, and ONNX Runtime's CPU Conv3D path is several
times slower than its Conv2D one (MLAS NCHWc). The visual graph is therefore exported from
Visual2d, the same encoder rebuilt from the loaded Conv3d / BatchNorm3d weights with 2-D ops only,
the same products and only the float summation order changed (the check below compares it with
the authors' Conv3d module). The T frames of a clip lie side by side in one wide image,
(B, C, H, T*P), each frame followed by two zero columns (period P = W + 2); two zero columns are
the padding a 5x5 kernel needs at a frame's edge, so:
  - a spatial Conv3d (1,k,k) (stride (1,2,2) in block1) is the same Conv2d k x k on that image:
    near a frame's right or left edge the kernel reads zero columns (its own, the previous
    frame's, or the convolution's padding for the first frame), exactly the zero padding of the
    per-frame convolution; rows are padded as before; block1's stride 2 halves the period
    (114 -> 57: 56 pixels and one column after them);
  - a temporal Conv3d (k,1,1) is a Conv2d (1,k) with dilation (1,P): tap j reads the same pixel
    P columns, i.e. one frame, further; its padding (0, p*P) supplies the zero frames before the
    first and after the last;
  - a 1x1x1 Conv3d is a Conv2d 1x1 and BatchNorm3d a BatchNorm2d (folded into the convolutions by
    the exporter, as before);
  - MaxPool3d((1,3,3), (1,2,2), (0,1,1)) is a vertical MaxPool2d((3,1), (2,1), (1,0)) on that image
    then a horizontal MaxPool2d((1,3), (1,2), (0,1)) per frame on a (B, C*H, T, P) view (the max
    of a 3x3 window is the max of its rows' maxima); the pooled frames get their two zero columns
    back before the next block;
  - the final AdaptiveMaxPool2d((1,1)) is the max over each frame's H x W pixels.
The columns after each frame's pixels hold values computed from zeros and both neighbours once a
convolution has run: every step above leaves the valid pixels independent of them, the pools
drop what they touch and the final max skips them. One layout for the whole encoder keeps every
convolution in ONNX Runtime's NCHWc form with no transposes or reorders between them: 1.6x
faster than the Conv3d graph (1 intra-op thread, T=200), and faster than the 2-D alternatives
tried: frames as the batch (B*T, C, H, W) with each temporal conv a Conv2d (k,1) on a transposed
(B, C, T, H*W) view (1.4x; the transposes and layout reorders cost more than the zero columns do
here), a sum of k frame-shifted 1x1 Conv2d's (slower than Conv3d: slice and pad passes) and
frames stacked vertically (narrow rows).
The script checks the three graphs against the PyTorch model (full forward) and the visual graph
against the authors' Conv3d visual front-end, and prints the largest differences; it fails when
the first exceeds 1e-3 or the second 1e-4.
"""
import argparse
import hashlib
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def load(src, weights):
    sys.path.insert(0, src)
    from model.Model import ASD_Model  # the authors' definition, unchanged

    model = ASD_Model()
    fc = nn.Linear(128, 2)
    state = torch.load(weights, map_location="cpu")
    model.load_state_dict({k[len("model."):]: v for k, v in state.items() if k.startswith("model.")})
    fc.load_state_dict({"weight": state["lossAV.FC.weight"], "bias": state["lossAV.FC.bias"]})
    # Same values as MaxPool3d((1,1,3), (1,1,2), (0,0,1)) on (B, C, 13, A): pools the time axis.
    model.audioEncoder.pool1 = nn.MaxPool2d((1, 3), (1, 2), (0, 1))
    model.audioEncoder.pool2 = nn.MaxPool2d((1, 3), (1, 2), (0, 1))
    model.eval()
    fc.eval()
    return model, fc


class Audio(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, mfcc):
        return self.m.forward_audio_frontend(mfcc)


def spatial(c3):
    """Conv2d doing Conv3d c3's (1,k,k) or (1,1,1) kernel on each frame."""
    o, i, kt, kh, kw = c3.weight.shape
    assert kt == 1 and c3.stride[0] == 1 and c3.padding[0] == 0
    assert c3.dilation == (1, 1, 1) and c3.groups == 1
    c = nn.Conv2d(i, o, (kh, kw), stride=c3.stride[1:], padding=c3.padding[1:], bias=False)
    c.weight.data.copy_(c3.weight.detach()[:, :, 0])
    return c


def temporal(c3, period):
    """Conv2d doing Conv3d c3's (k,1,1) kernel on frames laid side by side every `period` columns."""
    o, i, k, kh, kw = c3.weight.shape
    p = c3.padding[0]
    assert (kh, kw) == (1, 1) and k == 2 * p + 1 and c3.stride == (1, 1, 1) and c3.padding[1:] == (0, 0)
    assert c3.dilation == (1, 1, 1) and c3.groups == 1
    c = nn.Conv2d(i, o, (1, k), padding=(0, p * period), dilation=(1, period), bias=False)
    c.weight.data.copy_(c3.weight.detach()[:, :, :, 0, 0].unsqueeze(2))
    return c


def bn2d(b3):
    b = nn.BatchNorm2d(b3.num_features, eps=b3.eps, momentum=b3.momentum)
    b.load_state_dict(b3.state_dict())
    return b.eval()


class VisualBlock2d(nn.Module):
    """The authors' Visual_Block (same forward) with 2-D modules, on (B, C, H, T*period)."""

    def __init__(self, blk, period):
        super().__init__()
        self.relu = nn.ReLU()
        self.s_3, self.bn_s_3 = spatial(blk.s_3), bn2d(blk.bn_s_3)
        self.t_3, self.bn_t_3 = temporal(blk.t_3, period), bn2d(blk.bn_t_3)
        self.s_5, self.bn_s_5 = spatial(blk.s_5), bn2d(blk.bn_s_5)
        self.t_5, self.bn_t_5 = temporal(blk.t_5, period), bn2d(blk.bn_t_5)
        self.last, self.bn_last = spatial(blk.last), bn2d(blk.bn_last)

    def forward(self, x):
        x_3 = self.relu(self.bn_s_3(self.s_3(x)))
        x_3 = self.relu(self.bn_t_3(self.t_3(x_3)))
        x_5 = self.relu(self.bn_s_5(self.s_5(x)))
        x_5 = self.relu(self.bn_t_5(self.t_5(x_5)))
        x = x_3 + x_5
        return self.relu(self.bn_last(self.last(x)))


class Visual2d(nn.Module):
    """forward_visual_frontend with 2-D ops only (module docstring): frames side by side, each
    followed by 2 zero columns. video (B, T, 112, 112) grey 0..255 -> (B, T, 128)."""

    def __init__(self, m, size=112):
        super().__init__()
        e = m.visualEncoder
        for pool in (e.pool1, e.pool2):
            assert (pool.kernel_size, pool.stride, pool.padding) == ((1, 3, 3), (1, 2, 2), (0, 1, 1))
        assert e.block1.s_3.stride == (1, 2, 2) and e.block2.s_3.stride == (1, 1, 1) and size % 8 == 0
        self.size = size
        # Frame side in each block (56, 28, 14 for 112) and period of the columns (57, 30, 16): block1
        # reads 112 + 2 columns a frame at stride 2; each pool halves the side, 2 zero columns follow.
        self.sides = (size // 2, size // 4, size // 8)
        self.periods = ((size + 2) // 2, size // 4 + 2, size // 8 + 2)
        self.block1 = VisualBlock2d(e.block1, self.periods[0])
        self.block2 = VisualBlock2d(e.block2, self.periods[1])
        self.block3 = VisualBlock2d(e.block3, self.periods[2])
        self.vpool = nn.MaxPool2d((3, 1), (2, 1), (1, 0))  # MaxPool3d((1,3,3), (1,2,2), (0,1,1)) ...
        self.hpool = nn.MaxPool2d((1, 3), (1, 2), (0, 1))  # ... as its vertical then horizontal half

    def pool(self, x, b, t, c, period, side):
        """(B, C, 2*side, T*period) -> pooled (B, C, side, T*(side+2)), 2 zero columns a frame."""
        x = self.vpool(x).reshape(b, c * side, t, period)
        x = self.hpool(x)[:, :, :, :side]  # the last column pooled read the garbage ones: dropped
        return F.pad(x, (0, 2)).reshape(b, c, side, t * (side + 2))

    def forward(self, video):
        b, t, s = video.shape[0], video.shape[1], self.size
        x = (video / 255 - 0.4161) / 0.1688
        x = F.pad(x, (0, 2)).transpose(1, 2).reshape(b, 1, s, t * (s + 2))
        x = self.pool(self.block1(x), b, t, self.block1.last.out_channels, self.periods[0], self.sides[1])
        x = self.pool(self.block2(x), b, t, self.block2.last.out_channels, self.periods[1], self.sides[2])
        x = self.block3(x)
        c, side = self.block3.last.out_channels, self.sides[2]
        x = x.reshape(b, c, side, t, self.periods[2])[:, :, :, :, :side]
        return torch.amax(x, dim=(2, 4)).transpose(1, 2)  # AdaptiveMaxPool2d((1,1)) on each frame


class Backend(nn.Module):
    def __init__(self, m, fc):
        super().__init__()
        self.m, self.fc = m, fc

    def forward(self, audio_embed, visual_embed):
        b, t = audio_embed.shape[0], audio_embed.shape[1]
        x = self.m.forward_audio_visual_backend(audio_embed, visual_embed)  # (B*T, 128)
        return self.fc(x)[:, 1].reshape(b, t)


def export(module, args, names, outputs, axes, path):
    torch.onnx.export(module, args, path, input_names=names, output_names=outputs, dynamic_axes=axes,
                      opset_version=17, do_constant_folding=True, dynamo=False)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--weights", required=True, help="pretrain_AVA_CVPR.model (the AVA-pretrained state dict)")
    p.add_argument("--src", required=True, help="the authors' source folder holding model/Model.py")
    p.add_argument("--out", default=".", help="output folder")
    a = p.parse_args()
    torch.manual_seed(0)
    model, fc = load(a.src, a.weights)
    t = 50
    mfcc = torch.randn(1, 4 * t, 13) * 10
    video = torch.rand(1, t, 112, 112) * 255
    ae, ve = torch.randn(3, t, 128), torch.randn(3, t, 128)
    files = {
        "light_asd_audio.onnx": (Audio(model), (mfcc,), ["mfcc"], ["audio_embed"],
                                 {"mfcc": {1: "a"}, "audio_embed": {1: "t"}}),
        "light_asd_visual.onnx": (Visual2d(model).eval(), (video,), ["video"], ["visual_embed"],
                                  {"video": {1: "t"}, "visual_embed": {1: "t"}}),
        "light_asd_backend.onnx": (Backend(model, fc), (ae, ve), ["audio_embed", "visual_embed"], ["scores"],
                                   {"audio_embed": {0: "b", 1: "t"}, "visual_embed": {0: "b", 1: "t"},
                                    "scores": {0: "b", 1: "t"}}),
    }
    with torch.no_grad():
        for name, (m, args, ins, outs, axes) in files.items():
            export(m, args, ins, outs, axes, os.path.join(a.out, name))
    # A fresh copy: the exporter traces the modules above and may leave them altered.
    check(a.out, *load(a.src, a.weights))
    for name in files:
        with open(os.path.join(a.out, name), "rb") as f:
            print(hashlib.sha256(f.read()).hexdigest(), name)


def check(out, model, fc):
    """The three graphs chained against the PyTorch model's full forward, and the visual graph against
    the authors' Conv3d visual front-end, at two lengths."""
    import onnxruntime as ort

    s = {n: ort.InferenceSession(os.path.join(out, f"light_asd_{n}.onnx"), providers=["CPUExecutionProvider"])
         for n in ("audio", "visual", "backend")}
    worst = worst_visual = 0.0
    rng = np.random.default_rng(1)
    for t in (25, 137):
        mfcc = (rng.standard_normal((1, 4 * t, 13)) * 10).astype(np.float32)
        video = (rng.random((1, t, 112, 112)) * 255).astype(np.float32)
        with torch.no_grad():
            av, _ = model(torch.from_numpy(mfcc), torch.from_numpy(video))
            ref = fc(av)[:, 1].numpy()
            ref_visual = model.forward_visual_frontend(torch.from_numpy(video)).numpy()
        ae = s["audio"].run(None, {"mfcc": mfcc})[0]
        ve = s["visual"].run(None, {"video": video})[0]
        got = s["backend"].run(None, {"audio_embed": ae, "visual_embed": ve})[0].reshape(-1)
        worst = max(worst, float(np.abs(got - ref).max()))
        worst_visual = max(worst_visual, float(np.abs(ve - ref_visual).max()))
    print(f"max |onnx - torch| = {worst:.2e}")
    print(f"max |onnx visual_embed - torch Conv3d visual_embed| = {worst_visual:.2e}")
    if worst > 1e-3 or worst_visual > 1e-4:
        raise SystemExit("export check failed")


if __name__ == "__main__":
    main()
