"""A frozen parameter in a real Chromium over file://: the step view's card of a parameter the
trace marks `frozen` carries a "frozen" badge, and the same parameter unfrozen for fine-tuning
does not. Which tensors are frozen is read from the trace JSON here."""

from __future__ import annotations

import pytest

from viewer_harness import make_trace
from views_support import Viewer


@pytest.fixture(scope="module")
def transfer(tmp_path_factory):
    folder = tmp_path_factory.mktemp("traces")
    return make_trace(folder, "transfer", "--samples-a", "8", "--pretrain-epochs", "1", "--samples-b", "4",
                      "--head-epochs", "1", "--fine-tune-epochs", "1", "--test-b", "2")


def first_step_reading(trace: dict, tensor_id: int) -> int:
    return next(s["index"] for s in trace["steps"] if tensor_id in s["inputs"])


def badges(viewer: Viewer, tensor_id: int) -> list[str]:
    return viewer.page.eval_on_selector_all(
        f"#tr .ut-card[data-tensor='{tensor_id}'] .ut-frozen", "bs => bs.map(b => b.textContent)")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_frozen_parameters_carry_a_badge_and_unfrozen_ones_do_not(browser_context, tmp_path, transfer, scheme):
    viewer = Viewer(browser_context, tmp_path, {"tr": transfer}, scheme=scheme)
    trace = viewer.traces["tr"]
    frozen = [t for t in trace["tensors"] if t.get("frozen") is True]
    assert sorted(t["name"] for t in frozen) == ["b_1", "b_2", "w_1", "w_2"]
    for tensor in frozen:
        viewer.go("tr", first_step_reading(trace, tensor["id"]))
        assert badges(viewer, tensor["id"]) == ["frozen"], tensor["name"]
    viewer.shot("tr", f"frozen-{scheme}")
    # Fine-tuning reads w_1 again as an ordinary parameter: no badge, nor on the image x beside it.
    (w_1,) = [t for t in trace["tensors"] if t["name"] == "w_1" and t["role"] == "parameter"
              and "frozen" not in t and "version" not in t]
    step = first_step_reading(trace, w_1["id"])
    viewer.go("tr", step)
    assert viewer.page.locator(f"#tr .ut-card[data-tensor='{w_1['id']}']").count() == 1
    assert badges(viewer, w_1["id"]) == []
    assert viewer.page.locator("#tr .ut-frozen").count() == 0
    viewer.assert_clean()
