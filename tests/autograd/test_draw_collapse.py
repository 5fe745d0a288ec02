"""draw(..., collapse="neuron" | "layer"): one box per nn module, found from labels alone.

Oracles: which module a node belongs to is known here from the model's own structure
(``named_parameters`` and the outputs the model returns), never from the drawing code;
the gradient on an edge between two neurons is w * dL/dz (z the receiving neuron's
pre-activation), computed here from the weights and a finite difference of the loss.
"""

import math
import re
import subprocess
import sys
import textwrap

import pytest

import nn
from autograd import Value, draw, topological_order
from autograd import sum as vsum
from autograd.modules_in_graph import module_of_nodes
from nn.grouping import ACTIVATION_OPS


def one_sample(seed=3):
    model = nn.MLP(2, [3, 2, 1], activation="tanh", seed=seed)
    x = [0.5, -1.5]
    y = model(x)
    loss = (y - 0.25) ** 2
    loss.label = "loss"
    loss.backward()
    return model, x, loss


def box_names(source):
    return re.findall(r'^\s*"?([\w.]+)"? \[label="?[^\n]*shape=Mrecord', source, re.M)


def test_activation_ops_are_nn_activations():
    from autograd import Value
    from nn.activations import ACTIVATIONS

    # the op each activation builds (relu6 is a hardtanh node, as in PyTorch)
    assert ACTIVATION_OPS == {f(Value(0.5)).op for name, f in ACTIVATIONS.items()
                              if name != "linear"}
    assert ACTIVATION_OPS == {
        "sigmoid", "tanh", "relu", "softplus", "leaky_relu", "elu", "selu", "celu", "gelu",
        "silu", "mish", "softsign", "logsigmoid", "hardtanh", "hardsigmoid", "hardswish"}


def test_every_parameter_lands_in_its_own_neuron_and_layer():
    model, _, loss = one_sample()
    order = topological_order(loss)
    by_neuron = module_of_nodes(order, "neuron")
    by_layer = module_of_nodes(order, "layer")
    for name, p in model.named_parameters():
        neuron = name.rsplit(".", 2)[0] if name.endswith(tuple(f"w.{i}" for i in range(9))) \
            else name.rsplit(".", 1)[0]
        assert by_neuron[p] == neuron
        assert by_layer[p] == ".".join(name.split(".")[:2])
    # Each neuron holds its parameters, its dot node and (tanh layers) its activation.
    counts = {}
    for name in by_neuron.values():
        counts[name] = counts.get(name, 0) + 1
    assert counts == {"layers.0.neurons.0": 2 + 1 + 2, "layers.0.neurons.1": 5,
                      "layers.0.neurons.2": 5, "layers.1.neurons.0": 3 + 1 + 2,
                      "layers.1.neurons.1": 6, "layers.2.neurons.0": 2 + 1 + 1}


def test_the_loss_and_the_inputs_stay_outside_the_boxes():
    _, _, loss = one_sample()
    order = topological_order(loss)
    inside = module_of_nodes(order, "neuron")
    assert loss not in inside and loss.inputs[0] not in inside
    assert all(node not in inside for node in order if node.is_leaf and not node.label)


def test_collapse_by_neuron_draws_one_box_per_neuron():
    model, _, loss = one_sample()
    source = draw(loss, collapse="neuron").source
    assert sorted(box_names(source)) == [
        "layers.0.neurons.0", "layers.0.neurons.1", "layers.0.neurons.2",
        "layers.1.neurons.0", "layers.1.neurons.1", "layers.2.neurons.0"]
    assert "w.0" not in source  # parameters are inside the boxes
    # 3 x 2 edges between the first two layers, 2 into the last neuron.
    assert len(re.findall(r'"layers\.0\.neurons\.\d" -> "layers\.1\.neurons\.\d"', source)) == 6
    assert len(re.findall(r'"layers\.1\.neurons\.\d" -> "layers\.2\.neurons\.0"', source)) == 2


def test_collapse_by_layer_draws_one_box_per_layer():
    _, _, loss = one_sample()
    source = draw(loss, collapse="layer").source
    assert sorted(box_names(source)) == ["layers.0", "layers.1", "layers.2"]
    assert "3 neurons, tanh, 9 parameters" in source


def test_an_edge_between_neurons_carries_the_gradient_flowing_back():
    model, x, loss = one_sample()
    source = draw(loss, collapse="neuron", number_format=".10g").source
    w = model.layers[1].neurons[0].w[2].data  # from neuron 2 of layer 0

    def loss_at(shift):  # loss as a function of neuron (1, 0)'s pre-activation
        h = [v.data for v in model.layers[0]([0.5, -1.5])]
        n = model.layers[1].neurons[0]
        z = sum(wi.data * hi for wi, hi in zip(n.w, h)) + n.b.data + shift
        a = [math.tanh(z), model.layers[1].neurons[1]([Value(v) for v in h]).data]
        out = model.layers[2].neurons[0]
        y = sum(wi.data * ai for wi, ai in zip(out.w, a)) + out.b.data
        return (y - 0.25) ** 2

    dz = (loss_at(1e-6) - loss_at(-1e-6)) / 2e-6
    (label,) = re.findall(r'"layers\.0\.neurons\.2" -> "layers\.1\.neurons\.0" '
                          r'\[[^\]]*x?label="?([-\d.e]+)', source)
    assert math.isclose(float(label), w * dz, rel_tol=1e-6)


def test_the_flows_out_of_a_neuron_add_up_to_its_output_grad():
    _, _, loss = one_sample()
    source = draw(loss, collapse="neuron", number_format=".12g").source
    flows = re.findall(r'"layers\.0\.neurons\.1" -> "[\w.]+" \[[^\]]*x?label="?([-\d.e]+)',
                       source)
    assert len(flows) == 2
    order = topological_order(loss)
    inside = module_of_nodes(order, "neuron")
    (tanh_node,) = [v for v in order if inside.get(v) == "layers.0.neurons.1"
                    and v.op == "tanh"]
    assert math.isclose(sum(map(float, flows)), tanh_node.grad, rel_tol=1e-9)


def test_a_lone_neuron_and_a_lone_layer():
    neuron = nn.Neuron(2, seed=0)
    y = neuron([1.0, 2.0])
    assert box_names(draw(y, collapse="neuron").source) == ["neuron"]
    layer = nn.Layer(2, 3, seed=0)
    s = vsum(layer([1.0, 2.0]))
    assert box_names(draw(s, collapse="layer").source) == ["layer"]


def test_bad_collapse_is_named():
    _, _, loss = one_sample()
    with pytest.raises(ValueError, match="collapse"):
        draw(loss, collapse="module")


def test_a_moons_batch_collapsed_by_layer_renders_without_dot(tmp_path):
    # ~7,500 nodes: refused uncollapsed, a few hundred drawn nodes collapsed.  Bounded by
    # the subprocess timeout, not by a wall-clock assert.
    code = textwrap.dedent("""
        import os, random, sys
        os.environ["PATH"] = ""
        import nn
        from autograd import GraphTooLargeError, draw, render
        rng = random.Random(0)
        X = [[rng.uniform(-1, 2), rng.uniform(-1, 1)] for _ in range(100)]
        y = [1 if a > 0.5 else -1 for a, _ in X]
        model = nn.MLP(2, [16, 16, 1], activation="relu", seed=1337)
        loss = nn.hinge_loss([model(x) for x in X], y) + nn.l2_penalty(model.parameters(), 1e-4)
        loss.backward()
        try:
            draw(loss)
            sys.exit("not refused")
        except GraphTooLargeError as e:
            assert "collapse=" in str(e)
        svg = render(loss, collapse="layer")
        print(svg.count('class="node"'), "layers.1" in svg)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    nodes, has_layer = done.stdout.split()
    assert has_layer == "True" and 3 < int(nodes) < 1000


def test_a_refusal_of_a_collapsed_drawing_suggests_the_next_step():
    model = nn.MLP(2, [16, 16, 1], seed=0)
    xs = [[i / 10, -i / 10] for i in range(150)]  # 300 inputs x 16 neurons: 4800 edges
    loss = vsum([model(x) for x in xs])
    with pytest.raises(ValueError, match="collapse='layer'") as refused:
        draw(loss, collapse="neuron")
    assert "neuron" not in str(refused.value).split("collapse='layer'")[1]
    assert draw(loss, collapse="layer").source.count("Mrecord") == 3


@pytest.mark.parametrize("name", ["a:b", "c\\", "<b>", 'q"uote', "sp ace", "x -> y"])
def test_box_names_are_never_dot_syntax(name):
    # Box names come from parameter labels (issue 17, item 4): `a:b` read as node a,
    # port b, made a phantom node; a trailing backslash was a DOT syntax error.
    from autograd import dot

    x = Value(0.5, label="x")
    w, b = Value(0.3, label=f"{name}.w.0"), Value(0.1, label=f"{name}.b")
    other = Value(0.2, label="other.w.0")
    loss = dot([w], [x], b).tanh() + dot([other], [x])
    loss.label = "loss"
    loss.backward()
    drawing = draw(loss, collapse="neuron")
    svg = drawing.pipe(format="svg", encoding="utf-8")  # no LayoutError
    titles = re.findall(r'<g id="node\d+" class="node">\s*<title>([^<]*)</title>', svg)
    # Boxes, the value x and the loss: nothing else (no phantom node from a port).
    assert len(titles) == 4, titles
    assert set(drawing.members) == {name, "other"}
    # The name is shown as the box's text.
    import html
    assert name in html.unescape(svg)
