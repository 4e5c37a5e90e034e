from cmis_migrate.store.chunks import IN_LIST_SIZE, chunked


def test_in_lists_stay_within_oracles_limit():
    assert 0 < IN_LIST_SIZE <= 1000


def test_chunked_keeps_every_key_once_in_order_and_bounds_each_list():
    keys = [f"PA{i:08d}" for i in range(2 * IN_LIST_SIZE + 7)]
    parts = list(chunked(keys))
    assert [len(p) for p in parts] == [IN_LIST_SIZE, IN_LIST_SIZE, 7]
    assert [k for p in parts for k in p] == keys
    assert list(chunked([])) == []
    assert list(chunked(("a", "b", "c"), 2)) == [["a", "b"], ["c"]]
