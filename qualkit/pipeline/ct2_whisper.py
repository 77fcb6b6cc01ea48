"""openai-whisper from a CTranslate2 Whisper folder: the same weights for the reference backend."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qualkit.pipeline.models import read_ct2_variables


def ct2_to_openai_whisper(model_dir: os.PathLike[str] | str) -> Any:
    """Build an openai-whisper model from a CTranslate2 Whisper folder (same weights, fp32).

    Splits CTranslate2's fused query/key/value projections, maps layer norms and sets
    the alignment heads from config.json (needed for word timestamps).
    """
    import torch
    import whisper.model as wm

    folder = Path(model_dir)
    v = read_ct2_variables(folder / "model.bin")

    def t(name: str) -> torch.Tensor:
        return torch.from_numpy(np.asarray(v[name], dtype=np.float32).copy())

    def n_layers(prefix: str) -> int:
        return len({k.split("/")[1] for k in v if re.match(prefix + r"/layer_\d+/", k)})

    conv1 = v["encoder/conv1/weight"]
    dims = wm.ModelDimensions(
        n_mels=int(conv1.shape[1]),
        n_audio_ctx=int(v["encoder/position_encodings/encodings"].shape[0]),
        n_audio_state=int(conv1.shape[0]),
        n_audio_head=int(np.asarray(v["encoder/num_heads"])),
        n_audio_layer=n_layers("encoder"),
        n_vocab=int(v["decoder/embeddings/weight"].shape[0]),
        n_text_ctx=int(v["decoder/position_encodings/encodings"].shape[0]),
        n_text_state=int(v["decoder/embeddings/weight"].shape[1]),
        n_text_head=int(np.asarray(v["decoder/num_heads"])),
        n_text_layer=n_layers("decoder"),
    )
    sd: dict[str, torch.Tensor] = {}

    def linear(dst: str, src: str, bias: bool = True) -> None:
        sd[f"{dst}.weight"] = t(f"{src}/weight")
        if bias:
            sd[f"{dst}.bias"] = t(f"{src}/bias")

    def norm(dst: str, src: str) -> None:
        sd[f"{dst}.weight"] = t(f"{src}/gamma")
        sd[f"{dst}.bias"] = t(f"{src}/beta")

    def fused(dst: str, src: str, names: Sequence[str]) -> None:
        w = t(f"{src}/weight").chunk(len(names), dim=0)
        b = t(f"{src}/bias").chunk(len(names), dim=0)
        for name, wi, bi in zip(names, w, b, strict=True):
            sd[f"{dst}.{name}.weight"] = wi
            if name != "key":  # Whisper's key projections have no bias (CT2 stores zeros)
                sd[f"{dst}.{name}.bias"] = bi

    def block(dst: str, src: str, cross: bool) -> None:
        fused(f"{dst}.attn", f"{src}/self_attention/linear_0", ("query", "key", "value"))
        linear(f"{dst}.attn.out", f"{src}/self_attention/linear_1")
        norm(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        if cross:
            linear(f"{dst}.cross_attn.query", f"{src}/attention/linear_0")
            fused(f"{dst}.cross_attn", f"{src}/attention/linear_1", ("key", "value"))
            linear(f"{dst}.cross_attn.out", f"{src}/attention/linear_2")
            norm(f"{dst}.cross_attn_ln", f"{src}/attention/layer_norm")
        linear(f"{dst}.mlp.0", f"{src}/ffn/linear_0")
        linear(f"{dst}.mlp.2", f"{src}/ffn/linear_1")
        norm(f"{dst}.mlp_ln", f"{src}/ffn/layer_norm")

    linear("encoder.conv1", "encoder/conv1")
    linear("encoder.conv2", "encoder/conv2")
    sd["encoder.positional_embedding"] = t("encoder/position_encodings/encodings")
    for i in range(dims.n_audio_layer):
        block(f"encoder.blocks.{i}", f"encoder/layer_{i}", cross=False)
    norm("encoder.ln_post", "encoder/layer_norm")
    sd["decoder.token_embedding.weight"] = t("decoder/embeddings/weight")
    sd["decoder.positional_embedding"] = t("decoder/position_encodings/encodings")
    for i in range(dims.n_text_layer):
        block(f"decoder.blocks.{i}", f"decoder/layer_{i}", cross=True)
    norm("decoder.ln", "decoder/layer_norm")

    model = wm.Whisper(dims)
    model.load_state_dict(sd, strict=True)
    heads = torch.zeros(dims.n_text_layer, dims.n_text_head, dtype=torch.bool)
    config_path = folder / "config.json"
    pairs = json.loads(config_path.read_text())["alignment_heads"] if config_path.is_file() else []
    if not pairs:  # CTranslate2's own default: every head of the upper half
        pairs = [
            [layer, h]
            for layer in range(dims.n_text_layer // 2, dims.n_text_layer)
            for h in range(dims.n_text_head)
        ]
    for layer, head in pairs:
        heads[int(layer), int(head)] = True
    model.register_buffer("alignment_heads", heads.to_sparse(), persistent=False)
    return model.eval()
