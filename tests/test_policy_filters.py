"""Policy filters: doublestar globs relative to the project, with comma alternatives."""
import pytest

from preheat.policies.filters import parse, relative_name, split_alternatives
from preheat.validation import FieldError


@pytest.mark.parametrize("text, value, matched", [
    ("**", "nginx", True), ("**", "app/api", True), ("", "app/api/v2", True),
    ("*", "nginx", True), ("*", "app/api", False), ("app/*", "app/api", True),
    ("app/**", "app/api/v2", True), ("{nginx,redis}", "redis", True),
    ("{nginx,redis}", "mysql", False), ("nginx, redis", "redis", True),
    ("ngi?x", "nginx", True), ("[a-m]*", "nginx", False)])
def test_repository_filters_are_doublestar_globs(text, value, matched):
    assert parse("repositories", text).matches(value) is matched


@pytest.mark.parametrize("text, tag, matched", [
    ("1.*", "1.0", True), ("1.*", "1.1", True), ("1.*", "2.0", False),
    ("v{1,2}.*", "v2.3", True), ("latest,1.*", "latest", True), ("*", ".hidden", True)])
def test_tag_filters_match_the_tag(text, tag, matched):
    assert parse("tags", text).matches(tag) is matched


@pytest.mark.parametrize("field, text, message", [
    ("tags", "a,,b", "empty alternative"), ("repositories", "{a,b", "unbalanced"),
    ("repositories", "a}", "unbalanced"), ("tags", "a/b", "Tags have no '/'"),
    ("tags", "x" * 1025, "at most 1024"), ("tags", "a\x00", "control characters")])
def test_bad_filters_say_why(field, text, message):
    with pytest.raises(FieldError, match=message) as error:
        parse(field, text)
    assert error.value.field == field


def test_commas_inside_braces_are_not_alternatives():
    assert split_alternatives("a,{b,c},d") == ["a", "{b,c}", "d"]


@pytest.mark.parametrize("repository, relative", [
    ("library/nginx", "nginx"), ("alpine", "alpine"), ("team/app/api", "app/api")])
def test_repositories_are_matched_relative_to_the_project(repository, relative):
    project = "team" if repository.startswith("team/") else "library"
    assert relative_name(project, repository) == relative
