"""A drawn digit (canvas RGBA pixels) -> an image preprocessed the way the training digits were."""
from __future__ import annotations

import numpy as np
from PIL import Image
from scipy import ndimage


def to_digit_image(rgba: np.ndarray, size: int = 28, box: int = 20) -> np.ndarray | None:
    """White-on-black strokes -> uint8 (1, size, size); None when nothing is drawn.

    MNIST's recipe: crop to the strokes, scale the longer side to `box` pixels keeping the
    aspect ratio, then place it so its centre of mass sits in the middle of the image.
    """
    gray = np.asarray(rgba, dtype=np.float32)[..., :3].mean(axis=-1)
    if gray.max() < 16:
        return None
    rows, cols = np.nonzero(gray > 16)
    crop = gray[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    scale = box / max(crop.shape)
    new_h, new_w = max(1, round(crop.shape[0] * scale)), max(1, round(crop.shape[1] * scale))
    small = np.asarray(Image.fromarray(crop.astype(np.uint8)).resize((new_w, new_h), Image.LANCZOS), dtype=np.float32)
    out = np.zeros((size, size), np.float32)
    top, left = (size - new_h) // 2, (size - new_w) // 2
    out[top : top + new_h, left : left + new_w] = small
    cy, cx = ndimage.center_of_mass(out)
    out = ndimage.shift(out, (size / 2 - 0.5 - cy, size / 2 - 0.5 - cx), order=1, mode="constant")
    return np.clip(out, 0, 255).round().astype(np.uint8)[None]
