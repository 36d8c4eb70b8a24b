"""The Dragonfly stand-in's preheat jobs: the manager's rate limit, checks, image pull and results.

Creating a job resolves the image as the manager does (its errors answer
500, as CreatePreheatJob returns them); after `delay` seconds of `clock` the
job's peers download the config and layers with the headers the manager
handed them, and the job ends SUCCESS, or FAILURE with each failed peer's
description. Counts: `submissions` per manifest URL, `polls` of a job,
creation `attempts` as they arrive and `refusals` (429) among them, and the
`created_times` of the jobs made.
"""
from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from datetime import datetime, timezone

from . import image_pull

SCOPES = ("single_seed_peer", "all_seed_peers", "all_peers")
DEFAULT_PEERS = (
    {"cluster_id": 1, "hostname": "seed-peer-1", "ip": "10.0.1.11", "seed": True},
    {"cluster_id": 1, "hostname": "peer-1", "ip": "10.0.1.21", "seed": False},
    {"cluster_id": 1, "hostname": "peer-2", "ip": "10.0.1.22", "seed": False},
)


class Refused(Exception):
    """An answer other than 200: status and body, as the manager would send them."""

    def __init__(self, status: int, body):
        super().__init__(status)
        self.status, self.body = status, body


class JobBook:
    """Every job of one stand-in, its rate limiter and its counters."""

    def __init__(self, *, rate=None, burst=None, delay=0.0, clock=time.monotonic, peers=None,
                 fetch=True, cache=False, failing_peers=None, answer_delay=0.0):
        self.rate, self.delay, self.clock = rate, delay, clock
        self.answer_delay = answer_delay  # seconds a creation's answer takes (a slow manager)
        self.burst = float(burst or rate or 1)
        self.peers = [dict(peer) for peer in (peers or DEFAULT_PEERS)]
        self.fetch, self.cache = fetch, cache
        self.failing_peers = dict(failing_peers or {})
        self.jobs: dict[int, dict] = {}
        self.submissions: Counter = Counter()
        self.created_times: list[float] = []
        self.polls = 0
        # Creation requests as they arrive, those refused with 429, and when the others came.
        self.attempts, self.refusals = 0, 0
        self.allowed_times: list[float] = []
        self.poll_times: list[float] = []
        self._allowance, self._checked = self.burst, clock()
        self._resolved: dict[tuple, tuple] = {}
        self._downloads: dict[tuple, str | None] = {}
        self._ids = iter(range(1, 10 ** 9))
        self._lock = threading.Lock()

    def allow(self) -> bool:
        """A token bucket: `rate` creations a second, `burst` at once (the manager's limiter)."""
        with self._lock:
            now = self.clock()
            self.attempts += 1
            if self.rate is not None:
                self._allowance = min(self.burst,
                                      self._allowance + (now - self._checked) * self.rate)
                self._checked = now
                if self._allowance < 1:
                    self.refusals += 1
                    return False
                self._allowance -= 1
            self.allowed_times.append(now)
            return True

    def create(self, body) -> dict:
        """A new PENDING job for a valid preheat body; raise Refused as the manager answers."""
        args, cluster_ids = _checked(body)
        clusters = self._clusters(cluster_ids)
        blobs, headers = self._resolve(args) if self.fetch else ([], {})
        now = _now()
        with self._lock:
            job_id = next(self._ids)
            self.submissions[args["url"]] += 1
            self.created_times.append(self.clock())
            self.jobs[job_id] = {
                "id": job_id, "task_id": f"group_{uuid.uuid4()}", "type": "preheat",
                "state": "PENDING", "args": args, "result": None, "bio": "",
                "scheduler_clusters": [{"id": c} for c in clusters],
                "created_at": now, "updated_at": now,
                "_due": self.clock() + self.delay, "_blobs": blobs, "_headers": headers,
                "_clusters": clusters, "_finishing": False}
            job = _public(self.jobs[job_id])
        time.sleep(self.answer_delay)
        return job

    def release(self, delay: float) -> None:
        """Pending jobs end `delay` seconds from now at the latest, and new ones `delay` after."""
        with self._lock:
            self.delay = delay
            due = self.clock() + delay
            for job in self.jobs.values():
                job["_due"] = min(job["_due"], due)

    def get(self, job_id: int) -> dict:
        """The job as GET /oapi/v1/jobs/{id} answers, its peers run once its delay is over."""
        with self._lock:
            self.polls += 1
            self.poll_times.append(self.clock())
            job = self.jobs.get(job_id)
        if job is None:
            raise Refused(404, {"message": "record not found"})
        with self._lock:
            # One poll runs the peers; polls meanwhile see the job still pending.
            due = job["state"] == "PENDING" and self.clock() >= job["_due"] \
                and not job["_finishing"]
            job["_finishing"] = job["_finishing"] or due
        if due:
            self._finish(job)
        return _public(job)

    def _clusters(self, cluster_ids) -> list[int]:
        known = sorted({peer["cluster_id"] for peer in self.peers})
        for cluster in cluster_ids:
            if cluster not in known:
                raise Refused(500, {"message": f"scheduler cluster id {cluster}: record not found"})
        return list(cluster_ids) or known

    def _resolve(self, args) -> tuple:
        key = (args["url"], repr(sorted(args.get("headers", {}).items())), args.get("platform"))
        if self.cache and key in self._resolved:
            return self._resolved[key]
        try:
            resolved = image_pull.resolve(args["url"], args.get("headers"),
                                          args.get("username", ""), args.get("password", ""),
                                          args.get("platform", ""))
        except image_pull.PullFailure as failure:
            raise Refused(500, {"message": str(failure)}) from None
        if self.cache:
            self._resolved[key] = resolved
        return resolved

    def _chosen(self, job) -> list[dict]:
        scope = job["args"]["scope"]
        chosen = []
        for cluster in job["_clusters"]:
            members = [p for p in self.peers if p["cluster_id"] == cluster]
            seeds = [p for p in members if p["seed"]]
            chosen += seeds[:1] if scope == "single_seed_peer" else \
                seeds if scope == "all_seed_peers" else members
        return chosen

    def _finish(self, job) -> None:
        peers = self._chosen(job)
        blobs = job["_blobs"] or [job["args"]["url"]]
        states = []
        for blob in blobs:
            failure = self._download(blob, job["_headers"]) if job["_blobs"] else None
            results = []
            for cluster in job["_clusters"]:
                done = {"scheduler_cluster_id": cluster, "success_tasks": [],
                        "failure_tasks": []}
                for peer in (p for p in peers if p["cluster_id"] == cluster):
                    said = failure or self.failing_peers.get(peer["hostname"])
                    task = {"url": blob, "hostname": peer["hostname"], "ip": peer["ip"]}
                    if said:
                        done["failure_tasks"].append({**task, "description": said})
                    else:
                        done["success_tasks"].append(task)
                results.append(done)
            failed = any(r["failure_tasks"] for r in results)
            states.append({"state": "FAILURE" if failed else "SUCCESS",
                           "error": failure or "", "results": results})
        state = "FAILURE" if any(s["state"] == "FAILURE" for s in states) else "SUCCESS"
        with self._lock:
            job.update(state=state, updated_at=_now(),
                       result={"state": state, "job_states": states})

    def _download(self, url: str, headers: dict) -> str | None:
        key = (url, repr(sorted(headers.items())))
        if self.cache and key in self._downloads:
            return self._downloads[key]
        said = image_pull.download(url, headers)
        if self.cache:
            self._downloads[key] = said
        return said


def _checked(body) -> tuple[dict, list[int]]:
    """The args and cluster ids of a preheat body, or Refused(422) as gin's binding words it."""
    if not isinstance(body, dict) or not body.get("type"):
        raise Refused(422, {"errors": "Key: 'CreateJobRequest.Type' Error:Field validation for"
                                      " 'Type' failed on the 'required' tag"})
    if body["type"] != "preheat":
        raise Refused(422, {"errors": "Unknow type"})
    args = body.get("args") if isinstance(body.get("args"), dict) else {}
    for field, ok in (("Type", args.get("type") in ("image", "file")),
                      ("URL", isinstance(args.get("url"), str) and args.get("url")),
                      ("Scope", args.get("scope", "") in ("",) + SCOPES),
                      ("Headers", isinstance(args.get("headers", {}), dict))):
        if not ok:
            tag = {"Type": "oneof", "Scope": "oneof"}.get(field, "required")
            raise Refused(422, {"errors": f"Key: 'CreatePreheatJobRequest.Args.{field}' Error:"
                                          f"Field validation for '{field}' failed on the"
                                          f" '{tag}' tag"})
    ids = body.get("scheduler_cluster_ids") or []
    if not isinstance(ids, list) or not all(type(i) is int and i >= 0 for i in ids):
        raise Refused(422, {"errors": "json: cannot unmarshal into Go struct field"
                                      " CreateJobRequest.scheduler_cluster_ids of type uint"})
    return {**args, "scope": args.get("scope") or "single_seed_peer"}, ids


def _public(job: dict) -> dict:
    return {key: value for key, value in job.items() if not key.startswith("_")}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
