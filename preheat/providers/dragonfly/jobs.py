"""Dragonfly preheat jobs: create one (POST /oapi/v1/jobs), read one (GET /oapi/v1/jobs/{id}).

The manager echoes the job's `args`, registry credentials included, in
every answer: only the id, the state and the per-peer results are read
from it, and any text repeated is scrubbed of the PAT and of the pull
credential (which the echo itself names, so that progress knows it too).
"""
from __future__ import annotations

from ...transport import HttpClient, Target
from ...transport.untrusted import scrubbed
from ..exchanges import get, post, retry_after
from ..preheating import (Peer, PreheatRequest, Progress, ProgressError, Submission,
                          SubmitError, credential_secrets)
from ..probe import status_text
from .answers import quoted, token_refusal

JOBS = "/oapi/v1/jobs"
STATES = {"PENDING": "pending", "RECEIVED": "running", "STARTED": "running",
          "RETRY": "running", "SUCCESS": "success", "FAILURE": "failure"}
# A job with thousands of peers answers with one entry each.
JOB_BODY = 4 * 1024 * 1024


def job_body(request: PreheatRequest) -> dict:
    """The preheat job as the manager's CreatePreheatJobRequest."""
    options = request.options
    args = {"type": "image", "url": request.manifest_url,
            "scope": options.get("scope") or "single_seed_peer"}
    if request.authorization:
        # Always the header: the manager ignores username/password beside it, and
        # without it sends an empty Authorization to the layer downloads.
        args["headers"] = {"Authorization": request.authorization}
    if options.get("platform"):
        args["platform"] = options["platform"]
    if request.timeout:
        args["timeout"] = int(request.timeout * 1_000_000_000)  # a Go duration: nanoseconds
    body = {"type": "preheat", "args": args}
    if options.get("cluster_ids"):
        body["scheduler_cluster_ids"] = list(options["cluster_ids"])
    return body


def submit(target: Target, http: HttpClient, request: PreheatRequest) -> Submission:
    """Create the job; raise SubmitError saying whether it may be sent again."""
    what = f"POST {JOBS}"
    response = post(http, target, JOBS, job_body(request), "Dragonfly")
    if response.status == 200:
        data = response.json()
        job_id = data.get("id") if isinstance(data, dict) else None
        if type(job_id) is not int and not (isinstance(job_id, str) and job_id.isdigit()):
            raise SubmitError(f"Dragonfly answered {what} without a job id: the job may exist"
                              " on the manager, so it is not sent again.",
                              maybe_submitted=True, http_status=200)
        state = data.get("state") if isinstance(data.get("state"), str) else "PENDING"
        return Submission(str(job_id), STATES.get(state, "pending"),
                          f"Dragonfly job {job_id} created.")
    raise _refusal(response, what, request.secrets)


def _refusal(response, what: str, secrets) -> SubmitError:
    status = response.status
    said = quoted(response, secrets)
    if status == 429:
        return SubmitError(f"Dragonfly's rate limit turned the job away ({status_text(429)}"
                           f"{said}); nothing was created.", retry=True,
                           retry_after=retry_after(response), http_status=429)
    if status == 503:
        return SubmitError(f"Dragonfly is unavailable ({status_text(503)}{said}).",
                           retry=True, retry_after=retry_after(response), http_status=503)
    refusal = token_refusal(response, what)
    if refusal:
        return SubmitError(refusal, http_status=status)
    if status == 422:
        reason = f"Dragonfly refused the job as invalid ({status_text(422)}{said})."
    elif status == 500:
        reason = f"Dragonfly could not create the job ({status_text(500)}{said})."
    elif status in (502, 504):
        return SubmitError(f"{status_text(status)} from {what}: a proxy in front of Dragonfly"
                           " lost the manager's answer, so the job may exist on the manager;"
                           " it is not sent again.", maybe_submitted=True, http_status=status)
    elif 300 <= status < 400:
        reason = (f"The Dragonfly manager has no Open API: {what} was redirected to"
                  f" {response.location() or 'another page'}; upgrade to Dragonfly >= 2.1.59.")
    else:
        reason = f"{status_text(status)} from {what}{said}."
    return SubmitError(reason, http_status=status)


def progress(target: Target, http: HttpClient, job_id: str) -> Progress:
    """Read the job's state and per-peer results; raise ProgressError."""
    if not str(job_id).isdigit():
        raise ProgressError(f"{str(job_id)[:40]!r} is not a Dragonfly job id.", retry=False)
    path = f"{JOBS}/{job_id}"
    response = get(http, target, path, max_body=JOB_BODY)
    if response.status != 200:
        raise _unreadable(response, f"GET {JOBS}/{{id}}", job_id)
    data = response.json()
    if not isinstance(data, dict) or not isinstance(data.get("state"), str):
        raise ProgressError(f"Unexpected answer to GET {JOBS}/{{id}}: not a Dragonfly job.",
                            http_status=200)
    secrets = tuple(response.secrets) + _echoed_secrets(data.get("args"))
    peers = _peers(data.get("result"), secrets)
    state = STATES.get(data["state"], "running")
    return Progress(state, _summary(state, data, peers, secrets), peers)


def _unreadable(response, what: str, job_id: str) -> ProgressError:
    status = response.status
    if status == 404:
        return ProgressError(f"Dragonfly has no job {job_id} ({status_text(404)} from {what}):"
                             " it was deleted on the manager.", retry=False, http_status=404)
    refusal = token_refusal(response, what)
    if refusal:
        return ProgressError(refusal, retry=False, http_status=status)
    return ProgressError(f"{status_text(status)} from {what}{quoted(response)}.",
                         retry=status == 429 or status >= 500,
                         retry_after=retry_after(response), http_status=status)


def _echoed_secrets(args) -> tuple[str, ...]:
    """The credentials the echo repeats: never shown, and scrubbed from everything else."""
    if not isinstance(args, dict):
        return ()
    headers = args.get("headers") if isinstance(args.get("headers"), dict) else {}
    found = []
    for name, value in headers.items():
        if isinstance(value, str):
            found += credential_secrets(value) if name.lower() == "authorization" else [value]
    if isinstance(args.get("password"), str):
        found.append(args["password"])
    return tuple(piece for piece in found if piece)


def _peers(result, secrets) -> tuple[Peer, ...]:
    """One Peer per (cluster, host, IP), failed ones first: a job state per layer lists each."""
    peers: dict[tuple, Peer] = {}
    states = result.get("job_states") if isinstance(result, dict) else None
    for job_state in states if isinstance(states, list) else []:
        results = job_state.get("results") if isinstance(job_state, dict) else None
        for each in results if isinstance(results, list) else []:
            if not isinstance(each, dict):
                continue
            cluster = each.get("scheduler_cluster_id")
            cluster = cluster if type(cluster) is int else None
            for ok, key in ((True, "success_tasks"), (False, "failure_tasks")):
                tasks = each.get(key)
                for task in tasks if isinstance(tasks, list) else []:
                    if isinstance(task, dict):
                        peer = _peer(cluster, task, ok, secrets)
                        known = peers.get((cluster, peer.hostname, peer.ip))
                        if known is None or (known.ok and not ok):
                            peers[(cluster, peer.hostname, peer.ip)] = peer
    return tuple(sorted(peers.values(), key=lambda peer: peer.ok))


def _peer(cluster, task: dict, ok: bool, secrets) -> Peer:
    description = None if ok else (scrubbed(task.get("description"), secrets)
                                   or "(no description, or one that repeated a credential)")
    return Peer(cluster, scrubbed(task.get("hostname"), secrets) or "",
                scrubbed(task.get("ip"), secrets) or "", ok, description)


def _summary(state: str, data: dict, peers, secrets) -> str:
    failed = [peer for peer in peers if not peer.ok]
    if state == "success":
        return f"Preheated on {len(peers)} peer{'s' * (len(peers) != 1)}." if peers else \
            "Dragonfly reports success, naming no peers."
    if state != "failure":
        shown = scrubbed(data["state"][:20], secrets) if data["state"].isalpha() else None
        return f"Dragonfly reports the job {shown or 'in a state it does not name'}."
    error = _job_error(data.get("result"), secrets)
    if failed:
        return (f"Failed on {len(failed)} of {len(peers)} peer{'s' * (len(peers) != 1)}:"
                f" {failed[0].description}")
    return f"Dragonfly reports the job failed{': ' + error if error else '.'}"


def _job_error(result, secrets) -> str | None:
    states = result.get("job_states") if isinstance(result, dict) else None
    for job_state in states if isinstance(states, list) else []:
        if isinstance(job_state, dict) and job_state.get("error"):
            return scrubbed(job_state["error"], secrets)
    return None

