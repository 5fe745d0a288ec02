"""nn save/load: exact round trips, atomic writes, and bad files that change nothing."""

import json
import os
import pickle

import pytest

import nn
from autograd import fileio

AWKWARD = [0.1 + 0.2, -1e-300, 5e-324, 1.7976931348623157e308, -0.0, 1 / 3, 2.0**-52]


def model_with_awkward_floats():
    model = nn.MLP(2, [2, 1], activation="relu", output_activation="sigmoid", seed=0)
    for p, v in zip(model.parameters(), AWKWARD * 2):
        p.data = v
    return model


def test_round_trip_is_exact(tmp_path):
    model = model_with_awkward_floats()
    path = tmp_path / "model.json"
    model.save(path)
    loaded = nn.load(path)
    assert loaded.architecture() == model.architecture()
    assert repr(loaded) == repr(model)
    # exact: compare bit patterns (repr tells -0.0 from 0.0)
    assert [repr(v) for v in loaded.state_dict().values()] == \
        [repr(v) for v in model.state_dict().values()]
    assert list(loaded.state_dict()) == list(model.state_dict())


def test_round_trip_after_training_gives_identical_predictions(tmp_path):
    model = nn.MLP(3, [4, 3, 2], activation="tanh", output_activation="linear", bias=False,
                   seed=3)
    nn.fit(model, [[0.1, 0.2, 0.3], [0.3, -0.1, 0.9]], [[1, 0], [0, 1]], epochs=5,
           progress=False)
    nn.save(model, tmp_path / "m.json")
    loaded = nn.load(str(tmp_path / "m.json"))
    x = [0.25, -0.5, 0.75]
    assert [v.data for v in loaded(x)] == [v.data for v in model(x)]


def test_file_format(tmp_path):
    model = nn.MLP(2, [3, 1], seed=0)
    model.save(tmp_path / "m.json")
    doc = json.loads((tmp_path / "m.json").read_text())
    assert doc["format"] == "scalar-autograd/mlp" and doc["version"] == 1
    assert doc["architecture"] == {"nin": 2, "sizes": [3, 1], "activation": "tanh",
                                   "output_activation": "linear", "bias": True}
    assert doc["state"] == model.state_dict()


def test_load_into_an_existing_model(tmp_path):
    source, target = nn.MLP(2, [3, 1], seed=1), nn.MLP(2, [3, 1], seed=2)
    source.save(tmp_path / "m.json")
    assert nn.load(tmp_path / "m.json", into=target) is target
    assert target.state_dict() == source.state_dict()


# --- atomic writes -----------------------------------------------------------------------


def test_a_crash_mid_write_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "m.json"
    nn.MLP(2, [3, 1], seed=1).save(path)
    before = path.read_bytes()

    def crash(fd):
        raise OSError("disk died")

    monkeypatch.setattr(fileio.os, "fsync", crash)  # after the text is written
    with pytest.raises(OSError, match="disk died"):
        nn.MLP(2, [3, 1], seed=2).save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.json"]  # no temporary file left behind


def test_saving_a_non_finite_parameter_writes_nothing(tmp_path):
    path = tmp_path / "m.json"
    model = nn.MLP(2, [1], seed=0)
    model.save(path)
    before = path.read_bytes()
    model.parameters()[0].data = float("nan")
    with pytest.raises(ValueError, match="layers.0.neurons.0.w.0"):
        model.save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.json"]


def test_save_needs_an_mlp(tmp_path):
    with pytest.raises(TypeError, match="MLP"):
        nn.save(nn.Neuron(2, seed=0), tmp_path / "n.json")


# --- bad files: ValueError, and the model is unchanged -------------------------------------


def good_doc():
    model = nn.MLP(2, [3, 1], seed=9)
    return {"format": "scalar-autograd/mlp", "version": 1,
            "architecture": model.architecture(), "state": model.state_dict()}


def text_of(mutate):
    doc = good_doc()
    mutate(doc)
    return json.dumps(doc)


def first_weight(doc):
    return next(iter(doc["state"]))


def with_literal(literal):
    """A good file whose first weight is written as ``literal`` (not valid in strict JSON)."""
    doc = good_doc()
    doc["state"][first_weight(doc)] = 12345.5
    return json.dumps(doc).replace("12345.5", literal)


BAD_FILES = {
    "empty": (b"", "corrupt JSON"),
    "truncated": (json.dumps(good_doc()).encode()[:-25], "corrupt JSON"),
    "not json": (b"hello", "corrupt JSON"),
    "not utf-8": (b"\xff\xfe\x00{", "UTF-8"),
    "pickle": (pickle.dumps({"state": 1}), "not a saved model"),
    "a list": (b"[1, 2]", "JSON object"),
    "other format": (text_of(lambda d: d.update(format="other")), "format"),
    "no format": (text_of(lambda d: d.pop("format")), "format"),
    "version 2": (text_of(lambda d: d.update(version=2)), "version 2"),
    "version '1'": (text_of(lambda d: d.update(version="1")), "version '1'"),
    "version true": (text_of(lambda d: d.update(version=True)), "version True"),
    "no version": (text_of(lambda d: d.pop("version")), "version None"),
    "no state": (text_of(lambda d: d.pop("state")), "'state'"),
    "no architecture": (text_of(lambda d: d.pop("architecture")), "'architecture'"),
    "bad sizes": (text_of(lambda d: d["architecture"].update(sizes=[3, 0])), "'sizes'"),
    "float nin": (text_of(lambda d: d["architecture"].update(nin=2.0)), "'nin'"),
    "bad activation": (text_of(lambda d: d["architecture"].update(activation="exec")),
                       "'activation'"),
    "bad bias": (text_of(lambda d: d["architecture"].update(bias="yes")), "'bias'"),
    "extra arch key": (text_of(lambda d: d["architecture"].update(init="he")), "unexpected"),
    "shape mismatch": (text_of(lambda d: d["architecture"].update(sizes=[4, 1])),
                       "missing|differs"),
    "missing weight": (text_of(lambda d: d["state"].pop(first_weight(d))), "missing"),
    "extra weight": (text_of(lambda d: d["state"].update({"layers.2.neurons.0.b": 0.0})),
                     "unexpected"),
    "string weight": (text_of(lambda d: d["state"].update({first_weight(d): "0.5"})),
                      "real number"),
    "null weight": (text_of(lambda d: d["state"].update({first_weight(d): None})),
                    "real number"),
    "bool weight": (text_of(lambda d: d["state"].update({first_weight(d): True})),
                    "real number"),
    "state a list": (text_of(lambda d: d.update(state=[0.0] * 13)), "mapping"),
    "NaN weight": (with_literal("NaN"), "NaN"),
    "Infinity weight": (with_literal("-Infinity"), "Infinity"),
    "1e999 weight": (with_literal("1e999"), "finite"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_raises_value_error_and_changes_nothing(name, tmp_path):
    content, message = BAD_FILES[name]
    path = tmp_path / "bad.json"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    model = nn.MLP(2, [3, 1], seed=1)
    before = model.state_dict()
    with pytest.raises(ValueError, match=message):
        nn.load(path, into=model)
    assert model.state_dict() == before
    with pytest.raises(ValueError):
        nn.load(path)


def test_loading_into_a_model_of_another_architecture_changes_nothing(tmp_path):
    nn.MLP(2, [3, 1], seed=1).save(tmp_path / "m.json")
    model = nn.MLP(2, [4, 1], seed=2)
    before = model.state_dict()
    with pytest.raises(ValueError, match="architecture"):
        nn.load(tmp_path / "m.json", into=model)
    assert model.state_dict() == before


def test_a_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "nothing.json")
