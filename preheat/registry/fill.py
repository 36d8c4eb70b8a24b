"""Fill a registry you own with small test images: python -m preheat.registry.fill <url>.

Pushes <namespace>/app-1 .. app-N with M tags each (OCI, the even ones
Docker schema2) and a two-platform index tagged `multi` in the first, so a
freshly installed Preheat has registries and projects to show.
"""
from __future__ import annotations

import argparse
import sys
import time

from ..transport import Credentials, HttpClient, Target
from .client import RegistryClient
from .errors import RegistryError
from .names import repository_problem
from .push import Pusher


def parser() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(
        prog="python -m preheat.registry.fill",
        description="Push small test images to a registry (never one whose images matter).")
    options.add_argument("url", help="the registry, e.g. http://127.0.0.1:5000")
    options.add_argument("--repositories", type=int, default=3, metavar="N",
                         help="how many repositories (default 3)")
    options.add_argument("--tags", type=int, default=5, metavar="M",
                         help="tags per repository (default 5)")
    options.add_argument("--namespace", default="demo", help="namespace of the repositories")
    options.add_argument("--user", help="user name for Basic or token authentication")
    options.add_argument("--password", help="password for --user")
    options.add_argument("--insecure", action="store_true",
                         help="skip TLS certificate verification (a self-signed registry)")
    return options


def fill(target: Target, repositories: int, tags: int, namespace: str, out=sys.stdout) -> int:
    """Push the images, printing each repository's tags and digests; return how many tags."""
    pusher = Pusher(RegistryClient(HttpClient(timeout=10.0, deadline=60.0)), target)
    pushed = 0
    for number in range(1, repositories + 1):
        repository = f"{namespace}/app-{number}"
        names = [f"1.{minor}.0" for minor in range(tags)]
        oci = pusher.images(repository, names[0::2], kind="oci")
        docker = pusher.images(repository, names[1::2], kind="docker")
        digests = {**oci, **docker}
        for tag in names:
            print(f"{repository}:{tag} {digests[tag]}", file=out)
        if number == 1:
            index = pusher.index(repository, "multi")
            platforms = ", ".join(platform for platform, _ in index.children)
            print(f"{repository}:multi {index.digest} ({platforms})", file=out)
            pushed += 1
        pushed += len(names)
    return pushed


def main(argv=None) -> int:
    options = parser()
    args = options.parse_args(argv)
    if not args.url.startswith(("http://", "https://")):
        options.error("the registry URL must start with http:// or https://")
    if args.repositories < 1 or args.tags < 1:
        options.error("--repositories and --tags must be at least 1")
    if (args.user is None) != (args.password is None):
        options.error("--user and --password go together")
    problem = repository_problem(f"{args.namespace}/app-1")
    if problem:
        options.error(f"--namespace: {problem}")
    credentials = Credentials.basic(args.user, args.password) if args.user else Credentials()
    target = Target(args.url.rstrip("/"), credentials, args.insecure, peer="registry")
    started = time.monotonic()
    try:
        count = fill(target, args.repositories, args.tags, args.namespace)
    except RegistryError as error:
        print(f"fill: {error.reason}", file=sys.stderr)
        return 1
    print(f"Pushed {count} tags in {args.repositories} repositories to {args.url}"
          f" in {time.monotonic() - started:.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
