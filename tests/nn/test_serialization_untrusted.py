"""Model files as untrusted input: every malformed file is a ValueError naming the file.

Oracles: the files are built here by hand, each with one thing wrong; the sizes they
declare are compared with the values they hold by arithmetic written in the test.
"""

import json

import pytest

import nn
from nn import serialization


def good(nin=2, sizes=(3, 1)):
    return json.loads(json.dumps({
        "format": "scalar-autograd/mlp", "version": 1,
        "architecture": {"nin": nin, "sizes": list(sizes), "activation": "tanh",
                         "output_activation": "linear", "bias": True},
        "state": nn.MLP(nin, list(sizes), seed=0).state_dict()}))


def write(tmp_path, doc_or_text, name="m.json"):
    path = tmp_path / name
    text = doc_or_text if isinstance(doc_or_text, (str, bytes)) else json.dumps(doc_or_text)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


@pytest.fixture
def never_built(monkeypatch):
    """Fail if load() builds a model: a bad file must be refused before that."""
    def refuse(*args, **kwargs):
        raise AssertionError("an MLP was built from a file that should be refused")
    monkeypatch.setattr(serialization, "MLP", refuse)


@pytest.mark.parametrize("arch", [{"nin": 10**12}, {"sizes": [10**9, 1]},
                                  {"sizes": [1] * 10_000 + [10**6]}])
def test_declared_sizes_must_match_the_values_present(tmp_path, never_built, arch):
    doc = good()
    doc["architecture"].update(arch)
    path = write(tmp_path, doc)
    with pytest.raises(ValueError, match=r"m\.json: the architecture declares \d+ "
                                         r"parameters but the file holds 13 values"):
        nn.load(path)


def test_deep_nesting_is_a_value_error(tmp_path):
    path = write(tmp_path, "[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValueError, match=r"m\.json: .*nested too deeply"):
        nn.load(path)


def test_a_weight_of_400_digits_is_a_value_error(tmp_path):
    doc = good()
    name = next(iter(doc["state"]))
    text = json.dumps(doc).replace(json.dumps(doc["state"][name]), "9" * 400, 1)
    path = write(tmp_path, text)
    model = nn.MLP(2, [3, 1], seed=5)
    before = model.state_dict()
    with pytest.raises(ValueError, match=rf"m\.json: state\['{name}'\] is too large for a "
                                         r"float"):
        nn.load(path, into=model)
    assert model.state_dict() == before  # a failed load changes nothing


@pytest.mark.parametrize("key, value", [("activation", ["tanh"]),
                                        ("output_activation", {"a": 1}),
                                        ("activation", 5)])
def test_wrong_types_are_value_errors(tmp_path, key, value):
    doc = good()
    doc["architecture"][key] = value
    with pytest.raises(ValueError, match=rf"m\.json: architecture '{key}' is "):
        nn.load(write(tmp_path, doc))


@pytest.mark.parametrize("text, key", [
    ('{"format": "scalar-autograd/mlp", "format": "x"}', "format"),
    (None, "nin"),
])
def test_duplicate_keys_are_refused(tmp_path, text, key):
    if text is None:  # a duplicate deep inside: the architecture's "nin"
        text = json.dumps(good()).replace('"nin": 2', '"nin": 2, "nin": 3')
    with pytest.raises(ValueError, match=rf"m\.json: .*the key '{key}' appears twice"):
        nn.load(write(tmp_path, text))


def test_files_above_max_bytes_are_refused_and_the_keyword_raises_the_limit(tmp_path):
    path = write(tmp_path, good())
    size = path.stat().st_size
    with pytest.raises(ValueError, match=rf"m\.json: the file is larger than "
                                         rf"max_bytes={size - 1} .*larger max_bytes"):
        nn.load(path, max_bytes=size - 1)
    assert nn.load(path, max_bytes=size).nin == 2
    assert serialization.MAX_BYTES == 64 * 2**20


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "10"])
def test_max_bytes_must_be_a_positive_int(tmp_path, bad):
    with pytest.raises(ValueError, match="max_bytes must be a positive int"):
        nn.load(write(tmp_path, good()), max_bytes=bad)


def test_load_into_something_that_is_not_a_model(tmp_path):
    from autograd import Value
    with pytest.raises(TypeError, match=r"load\(into=...\) takes an nn.MLP.*Value"):
        nn.load(write(tmp_path, good()), into=Value(1))


def test_messages_quote_a_short_piece_of_a_huge_value(tmp_path):
    doc = good()
    doc["architecture"]["sizes"] = ["x" * 100] * 10_000
    with pytest.raises(ValueError) as e:
        nn.load(write(tmp_path, doc))
    assert len(str(e.value)) < 500


def test_a_large_valid_model_loads(tmp_path):
    model = nn.MLP(50, [200, 50, 1], seed=0)  # 20,501 parameters
    model.save(tmp_path / "big.json")
    loaded = nn.load(tmp_path / "big.json")
    assert loaded.state_dict() == model.state_dict()


def test_a_fifo_or_directory_is_not_a_model_and_never_blocks(tmp_path):
    import os
    fifo = tmp_path / "model.json"
    os.mkfifo(fifo)  # open() for reading would wait for a writer forever
    with pytest.raises(ValueError, match=r"model\.json: not a saved model \(not a regular"):
        nn.load(fifo)
    with pytest.raises(ValueError, match=r"not a saved model \(a directory\)"):
        nn.load(tmp_path)
