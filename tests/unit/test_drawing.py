import numpy as np
from scipy import ndimage

from playground.data.drawing import to_digit_image


def _canvas_with_bar(top, left, height, width, size=280):
    rgba = np.zeros((size, size, 4), np.uint8)
    rgba[..., 3] = 255
    rgba[top : top + height, left : left + width, :3] = 255
    return rgba


def test_blank_canvas_is_nothing_drawn():
    assert to_digit_image(np.zeros((280, 280, 4), np.uint8)) is None


def test_stroke_is_scaled_to_the_box_and_centred_by_mass():
    img = to_digit_image(_canvas_with_bar(10, 200, 200, 40))  # a tall bar in the top-right corner
    assert img.shape == (1, 28, 28) and img.dtype == np.uint8
    rows = np.nonzero(img[0].max(axis=1) > 60)[0]
    assert 18 <= rows.max() - rows.min() + 1 <= 22  # longer side ~20 px, as in MNIST
    cy, cx = ndimage.center_of_mass(img[0].astype(float))
    assert abs(cy - 13.5) < 1 and abs(cx - 13.5) < 1


def test_digits_size_for_the_8x8_set():
    img = to_digit_image(_canvas_with_bar(50, 50, 150, 150), size=8, box=8)
    assert img.shape == (1, 8, 8) and img.max() > 200
