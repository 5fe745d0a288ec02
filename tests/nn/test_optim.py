"""nn optimizers and schedules: updates against PyTorch's formulas recomputed here in plain
floats, training that lowers the loss, and bad arguments."""

import math

import pytest

import nn
from autograd import Value

START = [0.5, -1.5, 2.0]
GRADS = [[0.1, -0.3, 0.25], [-0.2, 0.4, 0.05], [0.3, 0.1, -0.6]]  # one row per step


def run(make_optimizer, steps):
    """Parameters after ``steps`` updates with the gradients of GRADS."""
    ps = [Value(v) for v in START]
    opt = make_optimizer(ps)
    for k in range(steps):
        for p, g in zip(ps, GRADS[k]):
            p.grad = g
        opt.step()
    return [p.data for p in ps]


def sgd_reference(steps, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    """torch.optim.SGD's documented algorithm (dampening 0), on floats."""
    out = []
    for i, p in enumerate(START):
        buf = None
        for k in range(steps):
            d = GRADS[k][i] + weight_decay * p
            if momentum:
                buf = d if buf is None else momentum * buf + d
                d = d + momentum * buf if nesterov else buf
            p = p - lr * d
        out.append(p)
    return out


def adam_reference(steps, lr, b1, b2, eps, weight_decay=0.0):
    """torch.optim.Adam's documented algorithm (amsgrad off), on floats."""
    out = []
    for i, p in enumerate(START):
        m = v = 0.0
        for t in range(1, steps + 1):
            g = GRADS[t - 1][i] + weight_decay * p
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            m_hat = m / (1 - b1**t)
            v_hat = v / (1 - b2**t)
            p = p - lr * m_hat / (math.sqrt(v_hat) + eps)
        out.append(p)
    return out


def test_one_sgd_step_is_p_minus_lr_g():
    assert run(lambda ps: nn.SGD(ps, lr=0.1), 1) == \
        pytest.approx([p - 0.1 * g for p, g in zip(START, GRADS[0])], rel=1e-15)


@pytest.mark.parametrize("kwargs", [
    {},
    {"weight_decay": 0.1},
    {"momentum": 0.9},
    {"momentum": 0.9, "nesterov": True},
    {"momentum": 0.5, "weight_decay": 0.01, "nesterov": True},
])
@pytest.mark.parametrize("steps", [1, 3])
def test_sgd_matches_the_pytorch_formulas(kwargs, steps):
    got = run(lambda ps: nn.SGD(ps, lr=0.05, **kwargs), steps)
    assert got == pytest.approx(sgd_reference(steps, 0.05, **kwargs), rel=1e-12)


def test_sgd_momentum_first_step_uses_the_gradient_as_buffer():
    # PyTorch starts the buffer at the gradient, not at (1 - momentum) * gradient
    got = run(lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9), 1)
    assert got == pytest.approx([p - 0.1 * g for p, g in zip(START, GRADS[0])], rel=1e-15)


def test_one_adam_step_moves_each_parameter_by_about_lr():
    # with bias correction, step 1 is lr * g / (|g| + eps): a move of lr against the sign
    got = run(lambda ps: nn.Adam(ps, lr=0.01), 1)
    assert got == pytest.approx([p - 0.01 * math.copysign(1, g) for p, g in zip(START, GRADS[0])],
                                rel=1e-6)


@pytest.mark.parametrize("kwargs", [
    {"lr": 0.01, "betas": (0.9, 0.999), "eps": 1e-8},
    {"lr": 0.1, "betas": (0.5, 0.9), "eps": 1e-3, "weight_decay": 0.1},
])
@pytest.mark.parametrize("steps", [1, 3])
def test_adam_matches_the_pytorch_formulas(kwargs, steps):
    got = run(lambda ps: nn.Adam(ps, **kwargs), steps)
    b1, b2 = kwargs["betas"]
    expected = adam_reference(steps, kwargs["lr"], b1, b2, kwargs["eps"],
                              kwargs.get("weight_decay", 0.0))
    assert got == pytest.approx(expected, rel=1e-12)


def test_optimizer_zero_grad_and_settable_lr():
    ps = [Value(1.0), Value(2.0)]
    opt = nn.SGD(ps, lr=0.1)
    for p in ps:
        p.grad = 1.0
    opt.lr = 0.5
    opt.step()
    assert [p.data for p in ps] == [0.5, 1.5]
    opt.zero_grad()
    assert [p.grad for p in ps] == [0.0, 0.0]


# --- training lowers the loss -----------------------------------------------------------

DATA = [([x / 4, (x % 3) / 2], math.sin(x / 3)) for x in range(8)]


@pytest.mark.parametrize("make", [
    lambda ps: nn.SGD(ps, lr=0.1),
    lambda ps: nn.SGD(ps, lr=0.05, momentum=0.9),
    lambda ps: nn.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
    lambda ps: nn.Adam(ps, lr=0.05),
    lambda ps: nn.SGD(ps, lr=0.1, weight_decay=1e-3),
], ids=["sgd", "momentum", "nesterov", "adam", "weight_decay"])
def test_training_reduces_the_loss(make):
    model = nn.MLP(2, [6, 1], seed=0)
    opt = make(model.parameters())
    X, y = [x for x, _ in DATA], [t for _, t in DATA]

    def loss():
        return nn.mse_loss([model(x) for x in X], y)

    first = loss().data
    for _ in range(40):
        batch_loss = loss()
        opt.zero_grad()
        batch_loss.backward()
        opt.step()
    assert loss().data < 0.5 * first


# --- schedules ---------------------------------------------------------------------------


def lrs(make_schedule, base, steps):
    opt = nn.SGD([Value(0.0)], lr=base)
    schedule = make_schedule(opt)
    seen = [opt.lr]
    for _ in range(steps):
        schedule.step()
        seen.append(opt.lr)
    return seen


def test_constant_schedule_keeps_the_lr():
    assert lrs(nn.ConstantLR, 0.3, 5) == [0.3] * 6


def test_linear_schedule_is_micrographs_demo_decay():
    # micrograd's demo: learning_rate = 1.0 - 0.9 * k / 100, for k = 0..99
    got = lrs(lambda opt: nn.LinearLR(opt, 1.0, 0.1, 100), 1.0, 120)
    assert got[:100] == pytest.approx([1.0 - 0.9 * k / 100 for k in range(100)], rel=1e-12)
    assert got[100:] == pytest.approx([0.1] * 21)  # then it holds the end value


def test_step_schedule_decays_every_step_size_steps():
    got = lrs(lambda opt: nn.StepLR(opt, step_size=3, gamma=0.5), 0.8, 7)
    assert got == pytest.approx([0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2, 0.2])


# --- bad arguments -------------------------------------------------------------------------


@pytest.mark.parametrize("make, message", [
    (lambda ps: nn.SGD([], lr=0.1), "empty"),
    (lambda ps: nn.SGD([1.0], lr=0.1), "not a Value"),
    (lambda ps: nn.SGD(ps, lr=-0.1), "lr"),
    (lambda ps: nn.SGD(ps, lr=float("nan")), "lr"),
    (lambda ps: nn.SGD(ps, lr=0.1, momentum=-0.5), "momentum"),
    (lambda ps: nn.SGD(ps, lr=0.1, nesterov=True), "nesterov"),
    (lambda ps: nn.Adam(ps, betas=(0.9, 1.0)), r"betas\[1\]"),
    (lambda ps: nn.Adam(ps, betas=0.9), "pair"),
    (lambda ps: nn.Adam(ps, eps=-1.0), "eps"),
    (lambda ps: nn.LinearLR(nn.SGD(ps, lr=1.0), 1.0, 0.1, 0), "total_steps"),
    (lambda ps: nn.StepLR(nn.SGD(ps, lr=1.0), step_size=0), "step_size"),
])
def test_bad_optimizer_arguments_raise_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make([Value(1.0)])
