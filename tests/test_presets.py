import pytest

from playground.data import DATASETS, load_dataset
from playground.models import LOSSES
from playground.presets import PRESETS, measure
from playground.training import Run


@pytest.mark.parametrize("name", [n for n in PRESETS if n != "pima"])  # Pima: see test_page_tabular (test-written data)
def test_preset_reproduces_its_tutorial_figure(name):
    preset = PRESETS[name]
    run = Run(preset.config, load_dataset(preset.config.data))
    for _ in run.snapshots():
        pass
    lo, hi = preset.goal
    assert lo <= measure(preset, run) <= hi


@pytest.mark.parametrize("name", PRESETS)
def test_preset_loss_fits_its_data(name):
    cfg = PRESETS[name].config
    assert LOSSES[cfg.train.loss].problem(DATASETS[cfg.data.dataset].classes[0]) is None


def test_presets_match_the_tutorials_shapes():
    assert PRESETS["blobs_4d"].config.model.hidden == (8,)
    assert PRESETS["pima"].config.model.hidden == (12, 8) and PRESETS["pima"].config.train.loss == "bce"
    assert PRESETS["linear"].config.model.hidden == () and not PRESETS["linear"].config.model.bias
    two = PRESETS["two_clusters"].config
    assert two.model.hidden == (10,) and two.model.batchnorm and two.train.optimizer == "rmsprop"
