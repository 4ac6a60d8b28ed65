import threading

import pytest

from playground.server.store import Bounded


def test_store_is_bounded_and_least_recently_used_goes_first():
    store = Bounded(max_entries=3)
    for k in "abc":
        store.put(k, k.upper())
    assert store.get("a") == "A"  # touch a: b is now the oldest
    store.put("d", "D")
    assert len(store) == 3 and "b" not in store and store.get("a") == "A" and store.get("d") == "D"
    assert store.get("zzz") is None and store.get("zzz", 0) == 0


def test_put_counts_as_use_and_membership_does_not():
    store = Bounded(max_entries=2)
    store.put("a", 1)
    store.put("b", 2)
    store.put("a", 10)  # a again: now b is the oldest
    assert "b" in store  # only looked at: b stays the oldest
    store.put("c", 3)
    assert store.keys() == ["a", "c"] and store.values() == [10, 3]


def test_pop_removes_and_keys_list_least_recently_used_first():
    store = Bounded(max_entries=4)
    for k in "abc":
        store.put(k, k)
    store.get("a")
    assert store.keys() == ["b", "c", "a"]
    assert store.pop("c") == "c" and store.pop("c") is None and store.pop("c", "gone") == "gone"
    assert store.keys() == ["b", "a"] and len(store) == 2
    store.keys().clear()  # a copy: the store keeps its keys
    assert len(store) == 2


def test_a_store_holds_at_least_one_entry():
    with pytest.raises(ValueError):
        Bounded(max_entries=0)
    store = Bounded(max_entries=1)
    store.put("a", 1)
    store.put("b", 2)
    assert store.keys() == ["b"]


def test_store_survives_concurrent_writers():
    store = Bounded(max_entries=50)

    def work(t):
        for i in range(500):
            store.put((t, i), i)
            store.get((t, i - 1))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(store) == 50 and len(set(store.keys())) == 50
