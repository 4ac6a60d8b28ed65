"""Text from a user's file is shown as text in the charts too: a class label written as HTML never becomes a live link."""
import re

import numpy as np

from conftest import ARTIFACTS, IDLE, choose

EVIL = '<a id="evil" href="https://example.com">click</a>'


def test_html_in_class_labels_stays_text_in_the_charts(page, server, tmp_path):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(120, 3))
    labels = np.where(X[:, 0] > 0, EVIL, "plain")
    path = tmp_path / "evil.csv"
    path.write_text("f1,f2,f3,kind\n" + "\n".join(f"{a:.3f},{b:.3f},{c:.3f},{k.replace(',', ' ')}" for (a, b, c), k in zip(X, labels)))
    page.goto(f"{server[0]}/tabular")
    page.wait_for_selector(IDLE, timeout=60_000)
    choose(page, "tabular_dataset", re.compile("Your CSV file"))
    page.locator(".st-key-tabular_csv_file [data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    page.wait_for_selector("text=Ready to train on 120 rows", timeout=30_000)
    page.wait_for_selector(IDLE)
    charts = page.locator("[data-testid='stEChartsChart']")
    assert charts.count() >= 3
    tooltips = []
    for i in range(charts.count()):  # hover each chart where its data is: tooltips appear
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        for fx, fy in ((0.3, 0.3), (0.5, 0.5), (0.7, 0.4), (0.6, 0.6)):
            page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
            page.wait_for_timeout(150)
            assert page.locator("#evil").count() == 0, f"chart {i} made the label a live link"
            tooltips += page.evaluate("""() => [...document.querySelectorAll("[data-testid='stEChartsChart'] div")]
                .filter(d => d.style.position === 'absolute' && d.innerText).map(d => d.innerText)""")
    assert any('<a id="evil' in tip for tip in tooltips), tooltips  # the label is in a tooltip, as text
    page.screenshot(path=str(ARTIFACTS / "tabular_html_labels.png"), full_page=True)
