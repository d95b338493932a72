"""make bench: keyed state of 1M keys, through Flink's REST API, so the same script measures the
engine (a YAML spec) and Flink 2.3 (KeyedStateBench in the test job's jar), same job: events over
1M string keys at a fixed rate, a keyed running count (one number of state per key), results
discarded, checkpoints every 10 s, parallelism 2. Once every key has state (20 s at 300k/s):
  - a periodic checkpoint's duration and size (Flink's checkpoint statistics),
  - a savepoint: time from trigger to COMPLETED, and its size on disk,
  - restore: the job run again from the savepoint, and from its latest checkpoint; the time from
    the run request until every subtask is RUNNING (state restored: Flink's, and the engine's,
    subtasks are INITIALIZING until then).
Prints one JSON line per system."""
import argparse
import json
import os
import time
import urllib.request
import uuid

SPEC = """name: keyed-state
parallelism: 2
source: {generator: {rate: %d/s, keys: %d}, name: events}
steps:
  - keyBy: key
  - count: n
    name: counter
sink: {discard: true, name: discard}
checkpoints: {interval: 10s, retained: 2}
"""


def rest(url, path, method="GET", body=None, ctype="application/json"):
    req = urllib.request.Request(url + path, data=body, method=method, headers={"Content-Type": ctype} if body else {})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read() or b"{}")


def upload(url, name, data, ctype):
    boundary = "b-" + uuid.uuid4().hex
    body = ("--%s\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\"%s\"\r\nContent-Type: %s\r\n\r\n"
            % (boundary, name, ctype)).encode() + data + ("\r\n--%s--\r\n" % boundary).encode()
    return rest(url, "/jars/upload", "POST", body, "multipart/form-data; boundary=" + boundary)["filename"].split("/")[-1]


def path_of(uri):
    return uri[len("file:"):] if uri.startswith("file:") else uri


def disk_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    return total


def wait_running(url, jid, timeout=120):
    """Until every subtask of every vertex is RUNNING; returns when that was seen."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = rest(url, "/jobs/" + jid)
        if job["state"] in ("FAILED", "CANCELED", "FINISHED"):
            raise SystemExit("job %s ended %s" % (jid, job["state"]))
        if job["state"] == "RUNNING" and job["vertices"] and all(
                v["tasks"].get("RUNNING", 0) == v["parallelism"] for v in job["vertices"]):
            return time.time()
        time.sleep(0.01)
    raise SystemExit("job %s not running after %d s" % (jid, timeout))


def cancel(url, jid):
    rest(url, "/jobs/%s?mode=cancel" % jid, "PATCH")
    while rest(url, "/jobs/" + jid)["state"] not in ("CANCELED", "FAILED", "FINISHED"):
        time.sleep(0.1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rest", required=True)
    ap.add_argument("--label", required=True, choices=["engine", "flink"])
    ap.add_argument("--jar", help="the test job's jar (Flink)")
    ap.add_argument("--dir", required=True, help="where savepoints go")
    ap.add_argument("--keys", type=int, default=1_000_000)
    ap.add_argument("--rate", type=int, default=300_000)
    ap.add_argument("--fill-seconds", type=float, default=20)
    a = ap.parse_args()
    url = a.rest
    if a.label == "flink":
        with open(a.jar, "rb") as f:
            jar = upload(url, "job.jar", f.read(), "application/x-java-archive")
        run = {"entryClass": "sluice.testjob.KeyedStateBench", "parallelism": 2,
               "programArgsList": ["--keys", str(a.keys), "--rate", str(a.rate), "--checkpointMs", "10000"]}
    else:
        jar = upload(url, "keyed-state.yaml", (SPEC % (a.rate, a.keys)).encode(), "application/x-yaml")
        run = {"parallelism": 2}

    def start(extra=None):
        body = dict(run, **(extra or {}))
        t0 = time.time()
        jid = rest(url, "/jars/%s/run" % jar, "POST", json.dumps(body).encode())["jobid"]
        return jid, t0

    jid, t0 = start()
    wait_running(url, jid)
    # A periodic checkpoint taken once every key has state.
    filled = t0 + a.fill_seconds
    checkpoint = None
    while checkpoint is None:
        stats = rest(url, "/jobs/%s/checkpoints" % jid)
        for c in stats.get("history", []):
            if c["status"] == "COMPLETED" and c["trigger_timestamp"] / 1000.0 >= filled:
                checkpoint = c
        if time.time() > filled + 60:
            raise SystemExit("no checkpoint completed after the state was filled")
        time.sleep(0.2)
    # A savepoint of the same state.
    target = os.path.join(a.dir, "%s-savepoints" % a.label)
    sp0 = time.time()
    trigger = rest(url, "/jobs/%s/savepoints" % jid, "POST", json.dumps({"target-directory": target, "cancel-job": False}).encode())["request-id"]
    while True:
        s = rest(url, "/jobs/%s/savepoints/%s" % (jid, trigger))
        if s["status"]["id"] == "COMPLETED":
            break
        time.sleep(0.02)
    savepoint_s = time.time() - sp0
    if "failure-cause" in s.get("operation", {}):
        raise SystemExit("savepoint failed: %s" % s["operation"]["failure-cause"])
    savepoint = path_of(s["operation"]["location"])
    latest = rest(url, "/jobs/%s/checkpoints" % jid)["latest"]["completed"]
    cancel(url, jid)
    # Restores: from the savepoint, then from the retained latest checkpoint.
    restores = {}
    for what, path in (("savepoint", savepoint), ("checkpoint", path_of(latest["external_path"]))):
        rjid, r0 = start({"savepointPath": path})
        restores[what] = wait_running(url, rjid) - r0
        cancel(url, rjid)
    print(json.dumps({"bench": "keyed_state", "engine": a.label, "keys": a.keys,
                      "checkpoint_ms": checkpoint["end_to_end_duration"],
                      "checkpoint_bytes": checkpoint.get("checkpointed_size") or checkpoint.get("state_size"),
                      "savepoint_s": savepoint_s, "savepoint_bytes": disk_bytes(savepoint),
                      "restore_savepoint_s": restores["savepoint"], "restore_checkpoint_s": restores["checkpoint"]}))


if __name__ == "__main__":
    main()
