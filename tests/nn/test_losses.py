"""nn losses: values against formulas written here, gradients against finite differences,
stability at extreme inputs, and bad inputs."""

import math

import pytest

import autograd
import nn
from autograd import Value


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def grads(loss, inputs):
    loss.backward()
    return [v.grad for v in inputs]


# --- values against independent formulas ----------------------------------------------

PREDS = [0.3, -1.2, 2.5]
TARGETS = [0.0, -1.0, 1.5]


def test_mse_and_half_sse_values():
    sq = [(p - t) ** 2 for p, t in zip(PREDS, TARGETS)]
    assert nn.mse_loss([Value(p) for p in PREDS], TARGETS).data == pytest.approx(sum(sq) / 3)
    assert nn.half_sse_loss([Value(p) for p in PREDS], TARGETS).data == \
        pytest.approx(0.5 * sum(sq))
    assert nn.mse_loss(Value(2.0), 0.5).data == 2.25


def test_mse_over_multi_output_samples_averages_every_element():
    preds = [[Value(1.0), Value(2.0)], [Value(0.0), Value(-1.0)]]
    targets = [[0.0, 0.0], [0.0, 1.0]]
    assert nn.mse_loss(preds, targets).data == pytest.approx((1 + 4 + 0 + 4) / 4)


def test_half_sse_gradient_is_the_residual():
    ps = [Value(p) for p in PREDS]
    assert grads(nn.half_sse_loss(ps, TARGETS), ps) == \
        pytest.approx([p - t for p, t in zip(PREDS, TARGETS)])


@pytest.mark.parametrize("targets", [[1, 0, 1], [0.2, 0.9, 0.5]])
def test_bce_values(targets):
    probs = [0.8, 0.3, 0.55]
    expected = -sum(t * math.log(p) + (1 - t) * math.log(1 - p)
                    for p, t in zip(probs, targets)) / 3
    assert nn.bce_loss([Value(p) for p in probs], targets).data == pytest.approx(expected)


@pytest.mark.parametrize("targets", [[1, 0, 1], [0.2, 0.9, 0.5]])
def test_bce_with_logits_equals_bce_of_the_sigmoid(targets):
    logits = [1.3, -0.4, 2.2]
    expected = -sum(t * math.log(sigmoid(z)) + (1 - t) * math.log(1 - sigmoid(z))
                    for z, t in zip(logits, targets)) / 3
    zs = [Value(z) for z in logits]
    loss = nn.bce_with_logits_loss(zs, targets)
    assert loss.data == pytest.approx(expected)
    # d/dz of mean(bce) is (sigmoid(z) - t) / n
    assert grads(loss, zs) == pytest.approx([(sigmoid(z) - t) / 3
                                             for z, t in zip(logits, targets)])


def test_hinge_values():
    scores, targets = [0.5, -2.0, 0.3, -0.1], [1, -1, -1, 1]
    expected = sum(max(0.0, 1 - t * s) for s, t in zip(scores, targets)) / 4
    assert nn.hinge_loss([Value(s) for s in scores], targets).data == pytest.approx(expected)


def test_cross_entropy_values():
    logits = [0.5, -1.0, 2.0]
    lse = math.log(sum(math.exp(z) for z in logits))
    for t in range(3):
        zs = [Value(z) for z in logits]
        loss = nn.cross_entropy_loss(zs, t)
        assert loss.data == pytest.approx(lse - logits[t])
        softmax = [math.exp(z - lse) for z in logits]
        assert grads(loss, zs) == pytest.approx([s - (i == t) for i, s in enumerate(softmax)])


def test_cross_entropy_batch_is_the_mean_over_samples():
    batch = [[0.5, -1.0], [2.0, 0.1], [0.0, 0.0]]
    targets = [0, 1, 1]
    each = [math.log(sum(math.exp(z) for z in zs)) - zs[t] for zs, t in zip(batch, targets)]
    loss = nn.cross_entropy_loss([[Value(z) for z in zs] for zs in batch], targets)
    assert loss.data == pytest.approx(sum(each) / 3)


def test_l2_penalty_value_and_gradient():
    ps = [Value(0.5), Value(-2.0), Value(3.0)]
    loss = nn.l2_penalty(ps, 0.01)
    assert loss.data == pytest.approx(0.01 * (0.25 + 4 + 9))
    assert grads(loss, ps) == pytest.approx([2 * 0.01 * p.data for p in ps])


# --- gradients vs finite differences ----------------------------------------------------

CASES = {
    "mse": (lambda *v: nn.mse_loss(list(v), [0.1, -0.4, 0.9]), [0.3, -1.2, 2.5]),
    "half_sse": (lambda *v: nn.half_sse_loss(list(v), [0.1, -0.4, 0.9]), [0.3, -1.2, 2.5]),
    "bce": (lambda *v: nn.bce_loss(list(v), [1, 0, 0.3]), [0.8, 0.25, 0.6]),
    "bce_with_logits": (lambda *v: nn.bce_with_logits_loss(list(v), [1, 0, 0.3]),
                        [1.5, -0.5, 0.2]),
    "hinge": (lambda *v: nn.hinge_loss(list(v), [1, -1, 1]), [0.5, -0.3, 1.7]),
    "cross_entropy": (lambda *v: nn.cross_entropy_loss(list(v), 2), [0.5, -1.0, 2.0]),
    "cross_entropy_batch": (lambda a, b, c, d: nn.cross_entropy_loss([[a, b], [c, d]], [1, 0]),
                            [0.5, -1.0, 2.0, 0.3]),
    "l2_penalty": (lambda *v: nn.l2_penalty(v, 0.3), [0.5, -1.0, 2.0]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_loss_gradients_match_finite_differences(name):
    f, point = CASES[name]
    assert autograd.gradcheck(f, point)


# --- numerical stability ---------------------------------------------------------------


def test_cross_entropy_with_logits_of_plus_minus_1000_is_finite():
    for target, expected_loss, expected_grads in [(0, 0.0, [0.0, 0.0]),
                                                  (1, 2000.0, [1.0, -1.0])]:
        zs = [Value(1000.0), Value(-1000.0)]
        loss = nn.cross_entropy_loss(zs, target)
        assert loss.data == expected_loss
        assert grads(loss, zs) == expected_grads


def test_bce_with_logits_of_plus_minus_1000_is_finite():
    for z, t, expected_loss, expected_grad in [(1000.0, 1, 0.0, 0.0), (-1000.0, 1, 1000.0, -1.0),
                                               (1000.0, 0, 1000.0, 1.0), (-1000.0, 0, 0.0, 0.0)]:
        v = Value(z)
        loss = nn.bce_with_logits_loss(v, t)
        assert loss.data == expected_loss
        assert grads(loss, [v]) == [expected_grad]


@pytest.mark.parametrize("p, t", [(0.0, 1), (1.0, 0), (0.0, 0), (1.0, 1), (0.0, 0.5)])
def test_bce_of_saturated_probabilities_is_finite(p, t):
    v = Value(p)
    loss = nn.bce_loss(v, t)
    assert math.isfinite(loss.data) and loss.data <= 100.0 + 1e-9
    assert math.isfinite(grads(loss, [v])[0])


def test_bce_of_a_saturated_sigmoid_is_finite():
    z = Value(-1000.0)
    loss = nn.bce_loss(z.sigmoid(), 1)  # sigmoid(-1000) is exactly 0
    assert loss.data == pytest.approx(100.0)
    assert math.isfinite(grads(loss, [z])[0])


def test_losses_build_few_nodes():
    # the sum of squares is one fused dot node, the mean one fused sum node
    ps = [Value(float(i)) for i in range(10)]
    loss = nn.mse_loss(ps, [0.0] * 10)
    interior = [v for v in autograd.topological_order(loss) if not v.is_leaf]
    assert [v.op for v in interior].count("dot") == 1
    assert len(interior) == 10 + 2  # ten residuals, the dot, the scaling


# --- bad inputs ----------------------------------------------------------------------------


@pytest.mark.parametrize("call, message", [
    (lambda: nn.mse_loss([Value(1.0)], [1.0, 2.0]), "1 predictions but 2 targets"),
    (lambda: nn.mse_loss([], []), "no predictions"),
    (lambda: nn.mse_loss(Value(1.0), [1.0, 2.0]), "one prediction but 2 targets"),
    (lambda: nn.mse_loss([[Value(1.0)]], [[1.0, 2.0]]), "has 1 outputs but target 0 has 2"),
    (lambda: nn.mse_loss([Value(1.0)], ["a"]), "real number"),
    (lambda: nn.bce_loss([Value(0.5)], [2]), r"\[0, 1\]"),
    (lambda: nn.bce_with_logits_loss([Value(0.5)], [-1]), r"\[0, 1\]"),
    (lambda: nn.hinge_loss([Value(0.5)], [0]), "-1 or \\+1"),
    (lambda: nn.cross_entropy_loss([Value(0.5), Value(1.0)], 2), "outside the 2 classes"),
    (lambda: nn.cross_entropy_loss([Value(0.5), Value(1.0)], 1.0), "class index"),
    (lambda: nn.cross_entropy_loss([[Value(0.5)]], [0, 1]), "1 samples of logits but 2"),
    (lambda: nn.l2_penalty([], 0.1), "no parameters"),
])
def test_bad_loss_inputs_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
