"""nn.fit: training works per sample and full batch, the history, and every bad input."""

import math

import pytest

import nn

XOR_X = [[0, 0], [0, 1], [1, 0], [1, 1]]
XOR_Y = [0, 1, 1, 0]


def xor_model(output_activation="sigmoid", nout=1, seed=0):
    return nn.MLP(2, [4, nout], activation="tanh", output_activation=output_activation,
                  seed=seed)


@pytest.mark.parametrize("batch_size", [1, 2, None, 4, 10])
def test_fit_reduces_the_loss_per_sample_mini_batch_and_full_batch(batch_size):
    model = xor_model()
    opt = nn.SGD(model.parameters(), lr=0.5, momentum=0.9)
    history = nn.fit(model, XOR_X, XOR_Y, loss="mse", optimizer=opt, epochs=60,
                     batch_size=batch_size, seed=0, progress=False)
    assert len(history.loss) == 60 and history.accuracy is None
    assert history.loss[-1] < 0.5 * history.loss[0]


def test_full_batch_history_is_the_loss_of_each_step():
    model = xor_model()
    start = model.state_dict()
    history = nn.fit(model, XOR_X, XOR_Y, loss="mse", optimizer=nn.SGD(model.parameters(), 0.1),
                     epochs=1, progress=False)
    # the first epoch's loss is the loss at the starting weights, computed independently
    model.load_state_dict(start)
    outs = [model(x).data for x in XOR_X]
    assert history.loss[0] == pytest.approx(sum((o - t) ** 2 for o, t in zip(outs, XOR_Y)) / 4)


def test_full_batch_step_is_one_sgd_step_on_the_mean_loss():
    model = xor_model()
    reference = xor_model()  # same seed: same weights
    nn.fit(model, XOR_X, XOR_Y, loss="mse", optimizer=nn.SGD(model.parameters(), lr=0.1),
           epochs=1, progress=False)
    loss = nn.mse_loss([reference(x) for x in XOR_X], XOR_Y)
    loss.backward()
    expected = [p.data - 0.1 * p.grad for p in reference.parameters()]
    assert [p.data for p in model.parameters()] == pytest.approx(expected, rel=1e-12)


def test_per_sample_sgd_takes_one_step_per_sample():
    model = nn.MLP(1, [1], output_activation="linear", weights=[[[0.0]]], biases=[[0.0]])
    # half_sse per sample: grad w = (w x + b - t) x, grad b = (w x + b - t)
    X, y, lr = [[1.0], [2.0]], [1.0, 3.0], 0.1
    nn.fit(model, X, y, loss="half_sse", optimizer=nn.SGD(model.parameters(), lr=lr),
           epochs=1, batch_size=1, shuffle=False, progress=False)
    w = b = 0.0
    for (x,), t in zip(X, y):
        r = w * x + b - t
        w, b = w - lr * r * x, b - lr * r
    assert model.state_dict() == pytest.approx({"layers.0.neurons.0.w.0": w,
                                                "layers.0.neurons.0.b": b})


@pytest.mark.parametrize("loss, output_activation, targets, nout", [
    ("bce", "sigmoid", XOR_Y, 1),
    ("bce_with_logits", "linear", XOR_Y, 1),
    ("hinge", "linear", [2 * t - 1 for t in XOR_Y], 1),
    ("cross_entropy", "linear", XOR_Y, 2),
])
def test_classification_losses_learn_xor_and_report_accuracy(loss, output_activation,
                                                             targets, nout):
    model = xor_model(output_activation, nout)
    opt = nn.Adam(model.parameters(), lr=0.1)
    history = nn.fit(model, XOR_X, targets, loss=loss, optimizer=opt, epochs=80, seed=0,
                     progress=False)
    assert len(history.accuracy) == 80 and all(0 <= a <= 1 for a in history.accuracy)
    assert history.loss[-1] < 0.2 * history.loss[0]
    assert history.accuracy[-1] == 1.0
    outs = [model(x) for x in XOR_X]
    if nout == 2:
        predicted = [int(o[1].data > o[0].data) for o in outs]
    else:
        predicted = [int(o.data > (0.5 if loss == "bce" else 0.0)) for o in outs]
    assert predicted == XOR_Y


def test_accuracy_counts_right_predictions():
    # a fixed linear model: scores 0.5*x - 1 for x = 0..3 give signs -, -, +, +
    model = nn.MLP(1, [1], output_activation="linear", weights=[[[0.5]]], biases=[[-1.0]])
    history = nn.fit(model, [[0], [1], [3], [4]], [-1, 1, 1, -1], loss="hinge",
                     optimizer=nn.SGD(model.parameters(), lr=0.0), epochs=1, progress=False)
    assert history.accuracy == [0.5]


def test_custom_loss_function_is_averaged_over_the_batch():
    def l1(p, t):
        return abs(p - t)

    model = xor_model("linear")
    start = model.state_dict()
    history = nn.fit(model, XOR_X, XOR_Y, loss=l1, epochs=30,
                     optimizer=nn.Adam(model.parameters(), lr=0.05), progress=False)
    assert history.loss[-1] < history.loss[0]
    # The first epoch's loss is the mean of |p - t| at the starting weights, by hand.
    model.load_state_dict(start)
    outs = [model(x).data for x in XOR_X]
    assert history.loss[0] == pytest.approx(sum(abs(o - t) for o, t in zip(outs, XOR_Y)) / 4,
                                            rel=1e-12)
    # One full-batch SGD step moves by the gradient of the mean (a sum would move 4x).
    stepped, reference = xor_model("linear"), xor_model("linear")
    nn.fit(stepped, XOR_X, XOR_Y, loss=l1, optimizer=nn.SGD(stepped.parameters(), lr=0.1),
           epochs=1, progress=False)
    terms = [abs(reference(x).data - t) for x, t in zip(XOR_X, XOR_Y)]
    mean = sum(l1(reference(x), t) for x, t in zip(XOR_X, XOR_Y)) * 0.25
    assert mean.data == pytest.approx(sum(terms) / 4, rel=1e-12)
    mean.backward()
    assert [p.data for p in stepped.parameters()] == pytest.approx(
        [p.data - 0.1 * p.grad for p in reference.parameters()], rel=1e-12)
    # Mini-batches of 3 and 1: compiled replay and eager agree, loss by loss.
    runs = []
    for compiled in (False, True):
        m = xor_model("linear")
        h = nn.fit(m, XOR_X, XOR_Y, loss=l1, optimizer=nn.SGD(m.parameters(), lr=0.05),
                   epochs=5, batch_size=3, shuffle=False, compiled=compiled, progress=False)
        runs.append((h.loss, [p.data for p in m.parameters()]))
    assert runs[1][0] == pytest.approx(runs[0][0], rel=1e-9)
    assert runs[1][1] == pytest.approx(runs[0][1], rel=1e-9)


def test_multi_output_regression():
    model = nn.MLP(2, [4, 2], seed=1)
    y = [[x0 + x1, x0 - x1] for x0, x1 in XOR_X]
    history = nn.fit(model, XOR_X, y, optimizer=nn.Adam(model.parameters(), lr=0.05),
                     epochs=50, progress=False)
    assert history.loss[-1] < 0.2 * history.loss[0]


def test_same_seed_same_training():
    results = []
    for _ in range(2):
        model = xor_model()
        nn.fit(model, XOR_X, XOR_Y, optimizer=nn.SGD(model.parameters(), lr=0.3), epochs=5,
               batch_size=1, seed=7, progress=False)
        results.append(model.state_dict())
    assert results[0] == results[1]


def test_shuffle_changes_the_order_of_per_sample_steps():
    def train(shuffle, seed):
        model = xor_model()
        nn.fit(model, XOR_X, XOR_Y, optimizer=nn.SGD(model.parameters(), lr=0.3), epochs=3,
               batch_size=1, shuffle=shuffle, seed=seed, progress=False)
        return model.state_dict()

    assert train(True, 1) != train(True, 2)
    assert train(False, 1) == train(False, 2)


def test_lr_schedule_is_stepped_once_per_epoch():
    model = xor_model()
    opt = nn.SGD(model.parameters(), lr=1.0)
    schedule = nn.LinearLR(opt, 1.0, 0.1, 100)
    nn.fit(model, XOR_X, XOR_Y, optimizer=opt, epochs=10, batch_size=1, progress=False,
           lr_schedule=schedule)
    assert opt.lr == pytest.approx(1.0 - 0.9 * 10 / 100)


def test_progress_bar_shows_the_loss(capsys):
    model = xor_model()
    nn.fit(model, XOR_X, XOR_Y, epochs=3, progress=True)
    err = capsys.readouterr().err
    assert "3/3" in err and "loss=" in err


def test_default_optimizer_is_sgd():
    model = xor_model()
    history = nn.fit(model, XOR_X, XOR_Y, epochs=20, progress=False)
    assert history.loss[-1] < history.loss[0]


# --- bad inputs: ValueError before any training ------------------------------------------


@pytest.mark.parametrize("kwargs, message", [
    ({"X": []}, "non-empty"),
    ({"X": [[0, 0], [0, 1, 2], [1, 0], [1, 1]]}, r"ragged: X\[0\] has 2 values but X\[1\] has 3"),
    ({"X": [[0, 0, 0]] * 4}, "3 values per sample but the model takes 2 inputs"),
    ({"X": [[0, 0], 5, [1, 0], [1, 1]]}, r"X\[1\] is 5"),
    ({"X": [[0, 0], [0, "a"], [1, 0], [1, 1]]}, r"X\[1\]\[1\]"),
    ({"X": [[0, 0], [0, math.nan], [1, 0], [1, 1]]}, "finite"),
    ({"y": [0, 1, 1]}, "4 samples but y has 3 targets"),
    ({"y": 0}, "y must be a list"),
    ({"y": [0, 1, 1, [0, 1]]}, r"y\[3\].*1 output"),
    ({"y": [0, 1, 1, math.inf]}, r"y\[3\]"),
    ({"loss": "bce", "y": [0, 1, 2, 0]}, r"y\[2\].*\[0, 1\]"),
    ({"loss": "hinge", "y": [0, 1, 1, 0]}, r"y\[0\].*-1 or \+1"),
    ({"loss": "cross_entropy"}, "at least 2 outputs"),
    ({"loss": "softmax"}, "unknown loss"),
    ({"epochs": 0}, "epochs"),
    ({"batch_size": 0}, "batch_size"),
    ({"batch_size": 1.5}, "batch_size"),
])
def test_bad_inputs_raise_before_training(kwargs, message):
    model = xor_model()
    before = model.state_dict()
    args = {"X": XOR_X, "y": XOR_Y, "epochs": 2, "progress": False, **kwargs}
    with pytest.raises(ValueError, match=message):
        nn.fit(model, **args)
    assert model.state_dict() == before


@pytest.mark.parametrize("y, message", [([0, 1, 2, 0], "class indices 0..1"),
                                        ([0, 1, 1.0, 0], "class indices"),
                                        ([0, 1, [1], 0], "class indices")])
def test_bad_class_targets_raise_before_training(y, message):
    model = xor_model("linear", nout=2)
    before = model.state_dict()
    with pytest.raises(ValueError, match=message):
        nn.fit(model, XOR_X, y, loss="cross_entropy", epochs=2, progress=False)
    assert model.state_dict() == before


def test_multi_output_targets_must_match_the_width():
    model = nn.MLP(2, [3, 2], seed=0)
    with pytest.raises(ValueError, match=r"y\[0\].*list of 2 numbers"):
        nn.fit(model, XOR_X, XOR_Y, epochs=1, progress=False)


def test_reference_document_numpy_network_reproduced():
    """Seed document 000 ("How to train a Neural Network?"): a 2-2-1 sigmoid network without
    biases, weights from ``np.random.seed(1)``, 10000 full-batch steps of
    ``weights += layer.T.dot(delta)`` (gradient descent on half the sum of squared errors,
    learning rate 1).  The document prints predictions 0.86002842 and 0.86003543."""
    np = pytest.importorskip("numpy")
    np.random.seed(1)
    weights0 = 2 * np.random.random((2, 2)) - 1  # numpy's layout: [in][out]
    weights1 = 2 * np.random.random((2, 1)) - 1
    model = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", bias=False,
                   weights=[weights0.T.tolist(), weights1.T.tolist()])
    nn.fit(model, XOR_X, XOR_Y, loss="half_sse", optimizer=nn.SGD(model.parameters(), lr=1.0),
           epochs=10000, shuffle=False, progress=False)
    assert [round(model(x).data, 8) for x in [[0, 1], [1, 0]]] == [0.86002842, 0.86003543]


class _FrameLike:
    """What nn.fit sees of a pandas DataFrame or Series: only ``.to_numpy()``."""

    def __init__(self, array):
        self._array = array

    def to_numpy(self):
        return self._array


def test_fit_accepts_numpy_arrays_and_pandas_like_objects_like_lists():
    np = pytest.importorskip("numpy")
    X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    y = [0.0, 1.0, 1.0, 0.0]

    def trained(X_, y_):
        model = nn.MLP(2, [3, 1], seed=0)
        history = nn.fit(model, X_, y_, epochs=5, batch_size=2, seed=0, progress=False)
        return history.loss, model.state_dict()

    expected = trained(X, y)
    assert trained(np.array(X), np.array(y)) == expected
    assert trained(_FrameLike(np.array(X)), _FrameLike(np.array(y))) == expected
    assert trained(np.array(X, dtype=np.float32), np.array(y)) == expected  # exact in f32
    with pytest.raises(ValueError, match="X has 3 values per sample but the model takes 2"):
        nn.fit(nn.MLP(2, [1], seed=0), np.zeros((4, 3)), np.zeros(4), progress=False)
    with pytest.raises(ValueError, match=r"X\[1\]\[0\] is nan, not a finite number"):
        nn.fit(nn.MLP(2, [1], seed=0), np.array([[0.0, 0.0], [np.nan, 1.0]]), [0.0, 1.0],
               progress=False)
    for bad, shown in ((10**400, r"10000000000000000000\.\.\."), (True, "True"),
                       (float("inf"), "inf"), ("1", "'1'")):
        with pytest.raises(ValueError, match=rf"X\[1\]\[1\] is {shown}, not a finite"):
            nn.fit(nn.MLP(2, [1], seed=0), [[0.0, 0.0], [1.0, bad]], [0.0, 1.0],
                   progress=False)
    # finite values whose sum overflows are fine
    nn.fit(nn.MLP(2, [1], seed=0), [[1e308, 1e308], [0, 1]], [0.0, 1.0], epochs=1,
           progress=False)
    with pytest.raises(ValueError, match="X has 4 samples but y has 3 targets"):
        nn.fit(nn.MLP(2, [1], seed=0), np.array(X), np.zeros(3), progress=False)
