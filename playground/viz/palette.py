"""The boards' colours and sizes, shared by every chart: a class, a split or a lane looks the same on every page."""
from __future__ import annotations

# The hues of TensorFlow Playground (orange, blue) and matplotlib's tab10, named once: several roles share each.
ORANGE, BLUE, GREEN, RED, PURPLE = "#f08c1a", "#1f77b4", "#2ca02c", "#d62728", "#9467bd"
WHITE, BLACK, GREY = "#ffffff", "#000000", "#808080"
LIGHT_BLUE = "#9ecae1"

# Orange and blue as in TensorFlow Playground first, then well-separated hues.
CLASS_COLORS = (ORANGE, BLUE, GREEN, RED, PURPLE, "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
TRAIN_COLOR, TEST_COLOR, BATCH_COLOR = BLUE, ORANGE, LIGHT_BLUE
LANE_COLORS = (BLUE, RED, GREEN, PURPLE)  # one per race lane, apart from the classes' orange where possible
CORRECT_COLOR, BUGGY_COLOR = GREEN, RED  # the mistake lab's two lanes
RUN_COLORS = (*LANE_COLORS, "#8c564b", "#e377c2", "#17becf", "#bcbd22")  # runs compared in the run history
# Light to dark blue (ColorBrewer's Blues), for counts: the confusion matrix.
BLUES = ["#f7fbff", "#deebf7", "#c6dbef", LIGHT_BLUE, "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"]

FONT_SIZE = 14
TITLE_SIZE = 16  # a board's main charts: the boundary, the tables page's pictures, the network
SMALL_TITLE_SIZE = 15  # the charts beside them: bars, confusion matrix, images
BASE = dict(animation=False, textStyle=dict(fontSize=FONT_SIZE))

BOUNDARY_SIZE = 430  # px of the longer side of the boundary's plot area
LANE_SIZE = 340  # px of the longer side of each lane's boundary when two sit side by side: they fit a 1280-pixel window
PLOT_LEFT = 70  # px left of a plot with a named value axis: its labels and its name
X_NAME_GAP = 28  # px between a plot and the name under its x axis
DRAWING_SIZE = 280  # px per side of the canvas a digit is drawn on: ten per pixel of a 28 x 28 digit


def rgb(color: str) -> tuple[int, int, int]:
    """A "#rrggbb" colour as its three 0-255 numbers."""
    return tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))


def class_color(k: int) -> str:
    """The colour of class k (the palette repeats after ten classes)."""
    return CLASS_COLORS[k % len(CLASS_COLORS)]


def lane_color(i: int) -> str:
    """The colour of race lane i."""
    return LANE_COLORS[i % len(LANE_COLORS)]
