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
The script checks the three graphs against the PyTorch model (full forward) and prints the largest
difference; it fails when that exceeds 1e-3.
"""
import argparse
import hashlib
import os
import sys

import numpy as np
import torch
import torch.nn as nn


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


class Visual(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, video):
        return self.m.forward_visual_frontend(video)


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
        "light_asd_visual.onnx": (Visual(model), (video,), ["video"], ["visual_embed"],
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
    """The three graphs chained against the PyTorch model's full forward, at two lengths."""
    import onnxruntime as ort

    s = {n: ort.InferenceSession(os.path.join(out, f"light_asd_{n}.onnx"), providers=["CPUExecutionProvider"])
         for n in ("audio", "visual", "backend")}
    worst = 0.0
    rng = np.random.default_rng(1)
    for t in (25, 137):
        mfcc = (rng.standard_normal((1, 4 * t, 13)) * 10).astype(np.float32)
        video = (rng.random((1, t, 112, 112)) * 255).astype(np.float32)
        with torch.no_grad():
            av, _ = model(torch.from_numpy(mfcc), torch.from_numpy(video))
            ref = fc(av)[:, 1].numpy()
        ae = s["audio"].run(None, {"mfcc": mfcc})[0]
        ve = s["visual"].run(None, {"video": video})[0]
        got = s["backend"].run(None, {"audio_embed": ae, "visual_embed": ve})[0].reshape(-1)
        worst = max(worst, float(np.abs(got - ref).max()))
    print(f"max |onnx - torch| = {worst:.2e}")
    if worst > 1e-3:
        raise SystemExit("export check failed")


if __name__ == "__main__":
    main()
