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


def test_one_feature_strip_puts_each_row_at_its_value_inside_its_true_class_band():
    x = np.array([0.5, -1.0, 2.0, 2.0, 0.1, 3.0])
    y_true, y_pred = np.array([0, 0, 1, 1, 2, 2]), np.array([0, 1, 1, 1, 2, 0])  # rows 1 and 5 are wrong
    option = table_charts.strip_option(x, y_true, y_pred, ["low", "mid", "high"], "length", "true size")
    names, places = option["yAxis"]
    assert names["type"] == "category" and names["data"] == ["low", "mid", "high"] and names["name"] == "true size"
    assert (places["min"], places["max"]) == (-0.5, 2.5)  # class k's band is k-0.5 .. k+0.5, beside its name
    assert names["inverse"] == places["inverse"]  # the names and the places run the same way
    assert option["xAxis"]["name"] == "length" and all(s["yAxisIndex"] == 1 for s in option["series"])
    points = [(p[0], p[1], p[2]) for s in option["series"] for p in s["data"]]
    assert sorted(p[0] for p in points) == sorted(x.tolist())  # every test row once, at its own value
    for px, py, true in points:
        k = ["low", "mid", "high"].index(true.removeprefix("true "))
        assert abs(py - k) <= table_charts.STRIP_SPREAD < 0.5  # inside its true class's band
    wrong = [s for s in option["series"] if s["name"] == table_charts.WRONG_NAME]  # one per predicted class, one legend entry
    assert sorted(p[0] for s in wrong for p in s["data"]) == [-1.0, 3.0]
    assert all(s["symbol"] == table_charts.CROSS for s in wrong)
    assert option["title"]["text"] == "Test rows: 2 mistakes (✕)"
    again = table_charts.strip_option(x, y_true, y_pred, ["low", "mid", "high"], "length", "true size")
    assert again == option  # the same places every frame: rows never jump between redraws
    json.dumps(option, allow_nan=False)


def test_two_rows_with_equal_values_and_class_are_drawn_apart():
    option = table_charts.strip_option(np.array([1.0, 1.0]), np.array([0, 0]), np.array([0, 0]), ["a", "b"])
    (first, second) = option["series"][0]["data"]
    assert first[0] == second[0] and first[1] != second[1]
