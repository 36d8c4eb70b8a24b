"""The Bearer token flow against docker-registry's token auth: scopes, cache, expiry, refetch."""
from preheat.registry import RegistryClient
from preheat.transport import Credentials
from tests.registry.conftest import PASSWORD, USER, pusher_for, target_of

ALICE = Credentials.basic(USER, PASSWORD)


class Clock:
    """A wall clock the test moves by hand."""

    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_token_scopes_follow_what_each_call_needs(client, token_registry, token_service, repo):
    pushed = pusher_for(token_registry, ALICE).images(repo, ["1.0", "2.0"])
    assert (USER, [f"repository:{repo}:pull,push"]) in token_service.state["asked"]
    token_service.state["asked"].clear()
    target = target_of(token_registry, ALICE)
    assert client.check(target).ok
    assert client.tags(target, repo) == ["1.0", "2.0"]
    assert [a.digest for a in client.artifacts(target, repo, ["1.0", "2.0"])] == \
        [pushed["1.0"], pushed["2.0"]]
    assert token_service.state["asked"] == [
        (USER, []), (USER, ["registry:catalog:*"]), (USER, [f"repository:{repo}:pull"])]
    assert "account=alice" in token_service.paths()[-1]


def test_cached_token_spares_the_token_service(client, token_registry, token_service, repo):
    pusher_for(token_registry, ALICE).images(repo, ["1"])
    target = target_of(token_registry, ALICE)
    client.tags(target, repo)
    client.reset_counts()
    token_service.requests.clear()
    assert client.tags(target, repo) == ["1"]
    assert client.artifact(target, repo, "1").ok
    assert token_service.requests == []
    assert client.counts == {"registry": 2, "token service": 0}


def test_first_call_learns_the_challenge_then_sends_tokens_straight_away(
        client, token_registry, token_service, repo):
    pusher_for(token_registry, ALICE).images(repo, ["1"])
    target = target_of(token_registry, ALICE)
    client.tags(target, repo)
    assert client.counts == {"registry": 2, "token service": 1}  # 401, token, retry
    client.reset_counts()
    client.artifact(target, repo, "1")
    assert client.counts == {"registry": 1, "token service": 0}


def test_token_is_fetched_again_once_it_expires(http, token_registry, token_service, repo):
    pusher_for(token_registry, ALICE).images(repo, ["1"])
    token_service.state["expires_in"] = 10  # counts as 60 s, the shortest lifetime
    clock = Clock(1_000_000.0)
    client = RegistryClient(http, clock=clock)
    target = target_of(token_registry, ALICE)
    client.tags(target, repo)
    clock.now += 45
    client.tags(target, repo)
    assert client.counts["token service"] == 1
    clock.now += 10  # 55 s: within the 10 s margin before expiry
    client.tags(target, repo)
    assert client.counts["token service"] == 2


def test_invalid_token_is_replaced_once(client, token_registry, token_service, repo):
    pusher_for(token_registry, ALICE).images(repo, ["1"])
    token_service.state["bad_tokens"] = 1  # the first token is signed by an untrusted key
    assert client.tags(target_of(token_registry, ALICE), repo) == ["1"]
    assert client.counts == {"registry": 3, "token service": 2}


def test_tokens_that_keep_failing_are_not_fetched_forever(client, token_registry,
                                                           token_service, repo):
    token_service.state["bad_tokens"] = 100
    result = client.check(target_of(token_registry, ALICE))
    assert not result.ok and result.reason == (
        "HTTP 401 Unauthorized from GET /v2/: the registry refused the token its token service"
        " issued for these credentials.")
    assert client.counts == {"registry": 3, "token service": 2}


def test_access_token_is_read_when_token_is_absent(client, token_registry, token_service):
    token_service.state["field"] = "access_token"
    assert client.check(target_of(token_registry, ALICE)).ok


def test_anonymous_pulls_get_a_token_of_their_own(client, token_registry, token_service, repo):
    pusher_for(token_registry, ALICE).images(repo, ["1"])
    token_service.state["asked"].clear()
    assert client.tags(target_of(token_registry), repo) == ["1"]
    assert token_service.state["asked"] == [(None, [f"repository:{repo}:pull"])]


def test_tokens_are_not_shared_between_credentials(client, token_registry, token_service, repo):
    token_service.state["users"]["bob"] = "bob-password"
    pusher_for(token_registry, ALICE).images(repo, ["1"])
    token_service.state["asked"].clear()
    client.tags(target_of(token_registry, ALICE), repo)
    client.tags(target_of(token_registry, Credentials.basic("bob", "bob-password")), repo)
    assert [user for user, _ in token_service.state["asked"]] == [USER, "bob"]
