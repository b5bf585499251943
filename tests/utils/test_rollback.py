"""The rollback rule: a block that raises leaves the object exactly as it was."""

import pickle
from types import SimpleNamespace

import pytest

from skbackprop.utils import rollback_on_error


def _change_then_raise(est, change, error):
    with rollback_on_error(est):
        change(est)
        raise error


def _train(est):
    est.coef_.append(2.0)
    est.n_iter_ = 0
    est.loss_ = 1.0


def _set_callbacks(est):
    est._skl_callbacks = ["other"]
    del est._callback_fit_ctx
    est._parent_callback_ctx = "new"


def test_a_failed_block_restores_the_state_down_to_its_pickle():
    # The callbacks' state sits among the fitted attributes; it is the caller's and is
    # kept as the block left it, but in its place, so the pickle is the same.
    est = SimpleNamespace(coef_=[1.0], _skl_callbacks=["progress"], n_iter_=3)
    before = pickle.dumps(est)
    with pytest.raises(KeyboardInterrupt):
        _change_then_raise(est, _train, KeyboardInterrupt)
    assert pickle.dumps(est) == before


def test_callback_state_is_left_as_the_block_left_it():
    est = SimpleNamespace(coef_=[1.0], _skl_callbacks=["progress"], _callback_fit_ctx="old")
    with pytest.raises(ValueError, match="diverged"):
        _change_then_raise(est, _set_callbacks, ValueError("diverged"))
    assert vars(est) == {
        "coef_": [1.0],
        "_skl_callbacks": ["other"],
        "_parent_callback_ctx": "new",
    }


def test_state_is_copied_by_its_name_and_parameters_are_not():
    # Fitted (name_) and private (_name) attributes are state: restored to the values they
    # had. A constructor parameter (neither) is the user's object: never copied, so it is
    # the same object after the block, as the block left it.
    hidden_layer_sizes = [4]
    est = SimpleNamespace(hidden_layer_sizes=hidden_layer_sizes, coef_=[1.0], _moments=[0.5])

    def change(est):
        est.coef_.append(2.0)
        est._moments.append(0.25)
        est.hidden_layer_sizes.append(8)

    with pytest.raises(ValueError, match="diverged"):
        _change_then_raise(est, change, ValueError("diverged"))
    assert est.coef_ == [1.0]
    assert est._moments == [0.5]
    assert est.hidden_layer_sizes is hidden_layer_sizes
    assert hidden_layer_sizes == [4, 8]
