"""nn modules: structure, names, initialisation, explicit weights and gradients."""

import math
import random
import statistics

import pytest

import autograd
import nn
from autograd import Value

ACTIVATIONS = ["sigmoid", "tanh", "relu", "linear"]


def rebind(module, name, value):
    """Put ``value`` where the parameter called ``name`` lives (names are real paths)."""
    *path, last = name.split(".")
    obj = module
    for part in path:
        obj = obj[int(part)] if part.isdigit() else getattr(obj, part)
    if last.isdigit():
        obj[int(last)] = value
    else:
        setattr(obj, last, value)


def as_function(module, x):
    """The module's output (summed if it is a list) as a function of its parameters."""
    names = [name for name, _ in module.named_parameters()]

    def f(*params):
        for name, p in zip(names, params):
            rebind(module, name, p)
        out = module(x)
        return autograd.sum(out) if isinstance(out, list) else out

    return f, [p.data for p in module.parameters()]


# --- structure and names ----------------------------------------------------------------


def test_named_parameters_are_readable_dotted_paths_in_order():
    model = nn.MLP(2, [3, 1], seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert names[:4] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1",
                         "layers.0.neurons.0.b", "layers.0.neurons.1.w.0"]
    assert names[-1] == "layers.1.neurons.0.b"
    assert len(names) == len(set(names)) == 3 * 3 + 4 * 1
    assert [p for _, p in model.named_parameters()] == model.parameters()


def test_parameters_are_labelled_with_their_names():
    model = nn.MLP(2, [2, 1], seed=0)
    for name, p in model.named_parameters():
        assert p.label == name
    neuron = nn.Neuron(3, seed=0)
    assert [p.label for p in neuron.parameters()] == ["w.0", "w.1", "w.2", "b"]


def test_parameters_are_distinct_leaves():
    params = nn.MLP(3, [4, 4, 2], seed=1).parameters()
    assert len({id(p) for p in params}) == len(params) == (3 + 1) * 4 + (4 + 1) * 4 + (4 + 1) * 2
    assert all(p.is_leaf for p in params)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_a_neuron_is_one_fused_dot_node_plus_its_activation(activation):
    neuron = nn.Neuron(5, activation=activation, seed=0)
    out = neuron([1.0, 2.0, 3.0, 4.0, 5.0])
    dot = out if activation == "linear" else out.inputs[0]
    if activation != "linear":
        assert out.op == activation and len(out.inputs) == 1
    assert dot.op == "dot" and dot.ctx is True
    assert dot.inputs[:5] == tuple(neuron.w) and dot.inputs[-1] is neuron.b
    interior = [v for v in autograd.topological_order(out) if not v.is_leaf]
    assert len(interior) == (1 if activation == "linear" else 2)


def test_neuron_without_bias_has_no_bias_input():
    neuron = nn.Neuron(2, activation="linear", bias=False, weights=[2.0, 3.0])
    out = neuron([1.0, 1.0])
    assert out.data == 5.0 and out.ctx is False and len(out.inputs) == 4
    assert [name for name, _ in neuron.named_parameters()] == ["w.0", "w.1"]


def test_layer_always_returns_a_list_and_mlp_a_value_for_one_output():
    layer = nn.Layer(2, 1, seed=0)
    out = layer([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 1
    # micrograd's out[0] special case breaks a one-neuron hidden layer; ours does not
    model = nn.MLP(2, [1, 3, 1], seed=0)
    y = model([0.5, -0.5])
    assert isinstance(y, Value)
    assert isinstance(nn.MLP(2, [3, 2], seed=0)([0.5, -0.5]), list)


def test_layer_inputs_are_shared_by_its_neurons():
    layer = nn.Layer(2, 3, activation="linear", seed=0)
    outs = layer([1.0, 2.0])
    first_inputs = [out.inputs[2:4] for out in outs]
    assert first_inputs[0] == first_inputs[1] == first_inputs[2]


def test_zero_grad_resets_every_parameter():
    model = nn.MLP(2, [3, 1], seed=0)
    model([1.0, -1.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_repr_is_readable():
    text = repr(nn.MLP(2, [4, 1], activation="relu", output_activation="sigmoid", seed=0))
    assert "Layer(nin=2, nout=4, activation='relu', bias=True)" in text
    assert "Layer(nin=4, nout=1, activation='sigmoid', bias=True)" in text
    assert "17 parameters" in text
    assert repr(nn.Neuron(3, activation="tanh", seed=0)) == \
        "Neuron(nin=3, activation='tanh', bias=True)"


def test_state_dict_round_trips_through_load_state_dict():
    a, b = nn.MLP(2, [3, 1], seed=1), nn.MLP(2, [3, 1], seed=2)
    b.load_state_dict(a.state_dict())
    assert b.state_dict() == a.state_dict()
    assert b([0.3, 0.7]).data == a([0.3, 0.7]).data


@pytest.mark.parametrize("mutate, message", [
    (lambda s: s.pop("layers.0.neurons.0.b"), "missing"),
    (lambda s: s.update(extra=1.0), "unexpected"),
    (lambda s: s.update({"layers.1.neurons.0.w.0": float("nan")}), "finite"),
    (lambda s: s.update({"layers.1.neurons.0.w.0": "0.5"}), "real number"),
    (lambda s: s.update({"layers.1.neurons.0.w.0": True}), "real number"),
])
def test_bad_state_dict_raises_and_changes_nothing(mutate, message):
    model = nn.MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    state = nn.MLP(2, [3, 1], seed=5).state_dict()
    mutate(state)
    with pytest.raises(ValueError, match=message):
        model.load_state_dict(state)
    assert model.state_dict() == before


def test_load_state_dict_rejects_non_mappings():
    with pytest.raises(ValueError, match="mapping"):
        nn.Neuron(1, seed=0).load_state_dict([0.0, 0.0])


# --- bad construction and calls -----------------------------------------------------------


@pytest.mark.parametrize("make, message", [
    (lambda: nn.MLP(0, [1]), "nin"),
    (lambda: nn.MLP(2, []), "sizes"),
    (lambda: nn.MLP(2, [3, 0]), r"sizes\[1\]"),
    (lambda: nn.MLP(2, [1], activation="softmax"), "unknown activation"),
    (lambda: nn.MLP(2, [1], init="glorot"), "unknown init"),
    (lambda: nn.MLP(2, [2, 1], weights=[[[1.0, 1.0], [1.0, 1.0]]]), "weights has 1 entries"),
    (lambda: nn.MLP(2, [2, 1], weights=[[[1.0, 1.0]], None]), "layer 0: weights has 1 rows"),
    (lambda: nn.MLP(2, [2, 1], weights=[[[1.0], [1.0, 1.0]], None]),
     r"layer 0: weights\[0\] must be a list of 2"),
    (lambda: nn.MLP(1, [1], weights=[[[math.inf]]]), "finite"),
    (lambda: nn.MLP(1, [1], bias=False, biases=[[0.0]]), "bias=False"),
    (lambda: nn.Neuron(2, weights=[1.0]), "weights must be a list of 2"),
    (lambda: nn.Neuron(1, weights=["a"]), "real number"),
])
def test_bad_construction_raises_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_wrong_number_of_inputs_is_named():
    with pytest.raises(ValueError, match="takes 2 inputs, got 3"):
        nn.MLP(2, [1], seed=0)([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="takes 2 inputs, got 1"):
        nn.Neuron(2, seed=0)([1.0])
    with pytest.raises(TypeError, match="list of 2 inputs"):
        nn.Layer(2, 2, seed=0)(1.0)


# --- initialisation -------------------------------------------------------------------


def test_seed_gives_reproducible_weights_without_global_state():
    state = random.getstate()
    a = nn.MLP(3, [4, 2], seed=42).state_dict()
    assert random.getstate() == state
    assert nn.MLP(3, [4, 2], seed=42).state_dict() == a
    assert nn.MLP(3, [4, 2], seed=43).state_dict() != a
    # one generator feeds the layers in turn: layers differ from each other
    model = nn.MLP(2, [2, 2], seed=0)
    assert model.layers[0].neurons[0].w[0].data != model.layers[1].neurons[0].w[0].data


def test_biases_start_at_zero():
    for init in ("uniform", "normal", "xavier", "he"):
        model = nn.MLP(3, [5, 2], init=init, seed=0)
        biases = [v for name, v in model.state_dict().items() if name.endswith(".b")]
        assert biases == [0.0] * 7


def weights_of(init, nin, nout, seed=0):
    layer = nn.Layer(nin, nout, init=init, seed=seed)
    return [w.data for n in layer.neurons for w in n.w]


def test_uniform_init_is_within_minus_one_one():
    ws = weights_of("uniform", 50, 40)
    assert all(-1.0 <= w <= 1.0 for w in ws)
    assert min(ws) < -0.95 and max(ws) > 0.95  # it spans the interval


def test_xavier_init_bound_is_sqrt_6_over_fans():
    ws = weights_of("xavier", 30, 20)
    bound = math.sqrt(6.0 / (30 + 20))
    assert all(abs(w) <= bound for w in ws)
    assert max(abs(w) for w in ws) > 0.95 * bound


@pytest.mark.parametrize("init, nin, std", [("normal", 50, 1.0), ("he", 50, math.sqrt(2 / 50))])
def test_normal_and_he_init_have_the_right_spread(init, nin, std):
    ws = weights_of(init, nin, 100)  # 5000 draws: the sample sd is within ~1% of std
    assert statistics.pstdev(ws) == pytest.approx(std, rel=0.05)
    assert abs(statistics.fmean(ws)) < 0.1 * std


# --- explicit weights: the reference document's network ---------------------------------


def test_reference_network_all_weights_one_biases_zero():
    """victorzhou.com "Training a Neural Network, 2" (seed 003): 2-2-1 sigmoid network,
    all weights 1 and biases 0, input (-2, -1), target 1, L = (1 - y_pred)**2.  The document
    computes h1 = h2 = 0.0474, y_pred = 0.524 and dL/dw1 = 0.0214."""
    model = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid",
                   weights=[[[1, 1], [1, 1]], [[1, 1]]], biases=[[0, 0], [0]])
    h = model.layers[0]([-2, -1])
    assert [round(v.data, 4) for v in h] == [0.0474, 0.0474]
    y_pred = model([-2, -1])
    assert round(y_pred.data, 3) == 0.524
    loss = nn.mse_loss(y_pred, 1)
    loss.backward()
    w1 = dict(model.named_parameters())["layers.0.neurons.0.w.0"]
    # The document multiplies factors rounded to 3 digits: -0.952 * 0.249 * -0.0904.
    assert w1.grad == pytest.approx(0.0214, abs=1e-4)
    # Its chain rule in unrounded floats: dL/dy * dy/dh1 * dh1/dw1.
    s = lambda z: 1 / (1 + math.exp(-z))
    h1 = s(-3.0)
    y = s(2 * h1)
    expected = -2 * (1 - y) * (1 * y * (1 - y)) * (-2 * h1 * (1 - h1))
    assert w1.grad == pytest.approx(expected, rel=1e-12)


def test_explicit_weights_use_the_torch_linear_layout():
    # weight[out][in]: output j = sum_i weight[j][i] * x[i] + bias[j]
    layer = nn.Layer(3, 2, activation="linear", weights=[[1, 2, 3], [4, 5, 6]],
                     biases=[0.5, -0.5])
    assert [v.data for v in layer([1, 10, 100])] == [321.5, 653.5]


# --- gradients vs finite differences ----------------------------------------------------


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_neuron_gradients_match_finite_differences(activation):
    neuron = nn.Neuron(3, activation=activation, seed=3)
    f, point = as_function(neuron, [0.4, -0.7, 1.1])
    assert autograd.gradcheck(f, point)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_layer_gradients_match_finite_differences(activation):
    layer = nn.Layer(2, 3, activation=activation, seed=4)
    f, point = as_function(layer, [0.9, -0.3])
    assert autograd.gradcheck(f, point)


@pytest.mark.parametrize("activation, output_activation",
                         [("tanh", "linear"), ("sigmoid", "sigmoid"), ("relu", "tanh")])
def test_mlp_gradients_match_finite_differences(activation, output_activation):
    model = nn.MLP(2, [3, 2, 1], activation=activation, output_activation=output_activation,
                   init="xavier", seed=5)
    for name, p in model.named_parameters():
        if name.endswith(".b"):
            p.data = 0.1  # zero biases could put a relu exactly on its kink
    f, point = as_function(model, [0.6, -0.8])
    assert autograd.gradcheck(f, point)


def test_mlp_gradients_with_respect_to_inputs_match_finite_differences():
    model = nn.MLP(3, [4, 2], seed=6)
    assert autograd.gradcheck(lambda *x: autograd.sum(model(list(x))), [0.2, -0.5, 0.9])


# --- one keyword scheme: weights= and biases= for Neuron, Layer and MLP ---------------


def test_explicit_values_use_the_same_keywords_at_every_level():
    neuron = nn.Neuron(2, activation="linear", weights=[1.0, 2.0], biases=0.5)
    layer = nn.Layer(2, 1, activation="linear", weights=[[1.0, 2.0]], biases=[0.5])
    mlp = nn.MLP(2, [1], output_activation="linear", weights=[[[1.0, 2.0]]], biases=[[0.5]])
    # 1*3 + 2*4 + 0.5, by hand
    assert neuron([3.0, 4.0]).data == layer([3.0, 4.0])[0].data == mlp([3.0, 4.0]).data == 11.5


@pytest.mark.parametrize("make, old", [
    (lambda **kw: nn.Neuron(2, activation="linear", **kw), {"weight": [1.0, 2.0]}),
    (lambda **kw: nn.Neuron(2, activation="linear", **kw), {"bias_value": 0.5}),
    (lambda **kw: nn.Layer(2, 1, activation="linear", **kw), {"weight": [[1.0, 2.0]]}),
    (lambda **kw: nn.Layer(2, 1, activation="linear", **kw), {"bias_values": [0.5]}),
])
def test_the_names_of_before_the_first_release_are_unknown_keywords(make, old):
    # weight=, bias_value= and bias_values= were renamed to weights= and biases= before
    # 0.1.0; a first release keeps no deprecated aliases.
    (name,) = old
    with pytest.raises(TypeError, match=f"unexpected keyword argument '{name}'"):
        make(**old)


def test_an_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError, match="unexpected keyword argument 'wieghts'"):
        nn.Layer(1, 1, wieghts=[[1.0]])


def test_explicit_values_may_be_numpy_arrays():
    np = pytest.importorskip("numpy")
    layer = nn.Layer(2, 2, activation="linear", weights=np.array([[1.0, 2.0], [3.0, 4.0]]),
                     biases=np.array([0.5, -0.5]))
    assert [v.data for v in layer([1.0, 1.0])] == [3.5, 6.5]
    neuron = nn.Neuron(2, activation="linear", weights=np.array([1.0, 2.0]),
                       biases=np.float64(1.0))
    assert neuron([1.0, 1.0]).data == 4.0
    with pytest.raises(ValueError, match="weights has 1 rows"):
        nn.Layer(2, 2, weights=np.array([[1.0, 2.0]]))
