"""The tables page's ECharts options: test rows in 2-D with mistakes as crosses, the fit, predicted against true."""
import json

import numpy as np

from playground.viz import table_charts


def test_projection_colours_rows_by_prediction_and_marks_each_mistake_with_a_ringed_cross():
    coords = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    y_true, y_pred = np.array([0, 1, 1, 0]), np.array([0, 1, 0, 0])  # row 2 is wrong: predicted 0, truly 1
    option = table_charts.projection_option(coords, y_true, y_pred, ["cat", "dog"], ("PC 1", "PC 2"))
    by_name = {}
    for s in option["series"]:
        by_name.setdefault(s["name"], []).append(s)
    assert set(by_name) == {"predicted cat", "predicted dog", table_charts.WRONG_NAME}  # one legend entry for mistakes
    (wrong,) = by_name[table_charts.WRONG_NAME]
    assert wrong["data"] == [[2.0, 2.0, "true dog"]] and wrong["symbol"] == table_charts.CROSS
    assert wrong["itemStyle"]["borderColor"] == table_charts.MISTAKE_RING
    assert [p[:2] for p in by_name["predicted cat"][0]["data"]] == [[0.0, 0.0], [3.0, 3.0]]
    assert option["title"]["text"] == "Test rows: 1 mistake (✕)" and option["xAxis"]["name"] == "PC 1"


def test_predicted_against_true_draws_the_perfect_diagonal_over_both_ranges():
    option = table_charts.pred_vs_true_option(np.array([1.0, 5.0]), np.array([-2.0, 3.0]), "price")
    rows, perfect = option["series"]
    assert rows["data"] == [[1.0, -2.0], [5.0, 3.0]]
    assert perfect["data"] == [[-2.0, -2.0], [5.0, 5.0]]  # from the lowest to the highest value of either
    assert option["xAxis"]["name"] == "true price" and option["yAxis"]["name"] == "predicted price"
    json.dumps(option, allow_nan=False)
