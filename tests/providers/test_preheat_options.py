"""Dragonfly's policy options, declared by the driver as data and checked with exact messages."""
import pytest

from preheat.providers import PROVIDERS, OptionError, OptionField

DRAGONFLY = PROVIDERS["dragonfly"]


def refused(values) -> dict:
    with pytest.raises(OptionError) as caught:
        DRAGONFLY.validate_options(values)
    return caught.value.errors


def test_the_fields_are_declared_for_the_dialog_and_the_api():
    scope, clusters, platform = DRAGONFLY.options
    assert scope == OptionField(
        "scope", "Scope", "choice",
        (("single_seed_peer", "Single seed peer"), ("all_seed_peers", "All seed peers"),
         ("all_peers", "All peers")), "single_seed_peer",
        "Which peers download the image: one seed peer per cluster, every seed peer, or"
        " every peer.")
    assert (clusters.name, clusters.label, clusters.kind, clusters.default) == \
        ("cluster_ids", "Cluster IDs", "integers", "")
    assert (platform.name, platform.label, platform.kind, platform.placeholder) == \
        ("platform", "Platform", "text", "linux/amd64")


def test_empty_options_mean_one_seed_peer_all_clusters_and_the_managers_platform():
    assert DRAGONFLY.validate_options({}) == {"scope": "single_seed_peer", "cluster_ids": [],
                                              "platform": ""}
    assert DRAGONFLY.validate_options({"scope": "", "cluster_ids": " ", "platform": None}) == \
        {"scope": "single_seed_peer", "cluster_ids": [], "platform": ""}


def test_values_from_the_form_and_from_harbors_extra_attrs_are_normalised():
    assert DRAGONFLY.validate_options({"scope": "all_peers", "cluster_ids": "3, 1,3,",
                                       "platform": " Linux/ARM64/v8 "}) == \
        {"scope": "all_peers", "cluster_ids": [3, 1], "platform": "linux/arm64/v8"}
    assert DRAGONFLY.validate_options({"cluster_ids": [1, 2]})["cluster_ids"] == [1, 2]


@pytest.mark.parametrize("value, shown", [("1, x", "“x”"), ("0", "“0”"), ("-2", "“-2”"),
                                          ("1.5", "“1.5”"), ([True], "True"),
                                          ("١", "“١”"), (str(2 ** 63), f"“{2 ** 63}”")])
def test_a_bad_cluster_id_is_named(value, shown):
    assert refused({"cluster_ids": value}) == {"cluster_ids": (
        "Cluster IDs are positive whole numbers separated by commas;"
        f" {shown} is not one.")}


def test_an_unknown_scope_is_named():
    assert refused({"scope": "some_peers"}) == {"scope": (
        "Scope must be single_seed_peer, all_seed_peers or all_peers, not “some_peers”.")}


@pytest.mark.parametrize("value", ["linux", "linux/", "linux/amd64/v8/x", "linux amd64", 64])
def test_a_bad_platform_is_named(value):
    shown = f"“{value}”" if isinstance(value, str) else repr(value)
    assert refused({"platform": value}) == {"platform": (
        "Platform must be os/arch or os/arch/variant, such as linux/amd64 or linux/arm64/v8,"
        f" not {shown}.")}


def test_every_bad_field_is_reported_at_once_and_unknown_ones_too():
    errors = refused({"scope": "x", "platform": "y", "cluster_id": "1"})
    assert list(errors) == ["cluster_id", "scope", "platform"]
    assert errors["cluster_id"] == "Dragonfly takes no option named cluster_id."
