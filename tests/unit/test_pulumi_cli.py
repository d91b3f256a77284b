"""What one `pulumi` command line carries (`batches`): runs in order, each within its limit, and an
item too large on its own still goes, alone."""

from __future__ import annotations

from pulumi_pixverse.commands.pulumi_cli import batches


def test_runs_keep_the_order_and_stay_within_the_limit():
    words = ["alpha", "be", "gamma", "delta", "epsilon", "z"]
    runs = list(batches(words, len, 10))
    assert runs == [["alpha", "be"], ["gamma", "delta"], ["epsilon", "z"]]
    assert [w for run in runs for w in run] == words


def test_an_item_larger_than_the_limit_is_a_run_of_its_own():
    assert list(batches(["ab", "a" * 12, "cd"], len, 10)) == [["ab"], ["a" * 12], ["cd"]]


def test_nothing_makes_no_run():
    assert list(batches([], len, 10)) == []
