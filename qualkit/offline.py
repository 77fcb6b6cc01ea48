"""Keep every dependency offline and silent. Imported first by `qualkit/__init__.py`.

Environment variables are read by the libraries when they are imported, so they are set
before anything else loads. Values the user set explicitly are respected.
"""

from __future__ import annotations

import os

OFFLINE_ENV: dict[str, str] = {
    # Hugging Face hub, transformers, datasets, sentence-transformers: no downloads, no pings.
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "HF_HUB_DISABLE_UPDATE_CHECK": "1",
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
    # pyannote-style metrics and generic opt-outs honoured by many tools.
    "PYANNOTE_METRICS_ENABLED": "0",
    "DO_NOT_TRACK": "1",
    "ANONYMIZED_TELEMETRY": "False",
    # Gradio, wandb, Streamlit-like tools sometimes pulled in transitively.
    "GRADIO_ANALYTICS_ENABLED": "False",
    "WANDB_MODE": "disabled",
    "WANDB_DISABLED": "true",
    # Ray (the optional cluster runner) reports usage to its makers unless told not to.
    "RAY_USAGE_STATS_ENABLED": "0",
    # pip version check, if any subprocess calls pip.
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    # Tokenizers: avoid fork warnings, no network either way.
    "TOKENIZERS_PARALLELISM": "false",
}


def apply() -> None:
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


apply()
