import threading

from playground.server.store import ResultStore


def test_store_is_bounded_and_least_recently_used_goes_first():
    store = ResultStore(max_entries=3)
    for k in "abc":
        store.put(k, k.upper())
    assert store.get("a") == "A"  # touch a: b is now the oldest
    store.put("d", "D")
    assert len(store) == 3 and "b" not in store and store.get("a") == "A" and store.get("d") == "D"
    assert store.get("zzz") is None


def test_store_survives_concurrent_writers():
    store = ResultStore(max_entries=50)

    def work(t):
        for i in range(500):
            store.put((t, i), i)
            store.get((t, i - 1))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(store) == 50
