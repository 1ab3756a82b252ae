#!/usr/bin/env python3
"""The fault suite's verdict, from the API server's objects (kubectl get -o json dumps), not from counters.

Every application the suite created (names <prefix>0 .. <prefix><count-1>) carries the labels
fault.spark-operator.k8s.io/expect-state (COMPLETED or FAILED, from its driver's exit code) and expect-runs
(how many runs its restart policy gives it). Prints one JSON object:
  duplicates  driver pods beyond one per attempt, or beyond the runs the app should have had
  lost        apps missing, not terminal, in another final state than their driver's outcome, or with fewer
              driver pods than runs
  orphans     driver pods without an owner reference to an existing SparkApplication
  webhook_failures  SubmissionFailed events caused by the admission webhook
  problems    up to 20 lines that say which app and why
"""
import argparse
import collections
import json

LABEL = "fault.spark-operator.k8s.io/"
APP_LABEL = "spark-operator.k8s.io/app-name"
ATTEMPT_LABEL = "spark-operator.k8s.io/submission-attempt"


def terminal(app, submission_retries):
    status = app.get("status", {})
    state = status.get("applicationState", {}).get("state", "")
    if state in ("COMPLETED", "FAILED"):
        return True
    if state == "SUBMISSION_FAILED":
        failures = status.get("submissionAttempts", 0) - status.get("executionAttempts", 0)
        return failures > submission_retries
    return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", required=True)
    parser.add_argument("--pods", required=True)
    parser.add_argument("--events", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--submission-retries", type=int, required=True)
    args = parser.parse_args()
    apps = {a["metadata"]["name"]: a for a in json.load(open(args.apps))["items"]}
    pods = json.load(open(args.pods))["items"]
    events = json.load(open(args.events))["items"]
    problems = []
    uids = {a["metadata"]["uid"] for a in apps.values()}

    drivers = collections.defaultdict(list)
    orphans = 0
    for pod in pods:
        meta = pod["metadata"]
        if meta.get("labels", {}).get("spark-role") != "driver":
            continue
        drivers[meta.get("labels", {}).get(APP_LABEL, "")].append(pod)
        owners = [o for o in meta.get("ownerReferences", []) if o.get("kind") == "SparkApplication"]
        if not any(o.get("uid") in uids for o in owners):
            orphans += 1
            problems.append("orphan driver pod %s (owners: %s)" % (meta["name"], meta.get("ownerReferences", [])))

    duplicates = lost = 0
    for i in range(args.count):
        name = "%s%d" % (args.prefix, i)
        app = apps.get(name)
        if app is None:
            lost += 1
            problems.append("%s: missing" % name)
            continue
        labels = app["metadata"].get("labels", {})
        expect_state = labels.get(LABEL + "expect-state")
        expect_runs = int(labels.get(LABEL + "expect-runs", "1"))
        status = app.get("status", {})
        state = status.get("applicationState", {}).get("state", "")
        mine = drivers.get(name, [])
        per_attempt = collections.Counter(p["metadata"].get("labels", {}).get(ATTEMPT_LABEL, "?") for p in mine)
        extra = sum(n - 1 for n in per_attempt.values()) + max(0, len(per_attempt) - expect_runs)
        if extra:
            duplicates += extra
            problems.append("%s: %d driver pods for attempts %s, expected %d run(s)" %
                            (name, len(mine), dict(per_attempt), expect_runs))
        why = None
        if not terminal(app, args.submission_retries):
            why = "not terminal (state %r, attempts %s)" % (state, status.get("submissionAttempts"))
        elif state != expect_state:
            why = "ended %s, expected %s: %s" % (state, expect_state,
                                                 status.get("applicationState", {}).get("errorMessage", "")[:300])
        elif len(per_attempt) < expect_runs:
            why = "%d driver pod(s), expected %d" % (len(per_attempt), expect_runs)
        if why:
            lost += 1
            problems.append("%s: %s" % (name, why))

    webhook_failures = 0
    for event in events:
        if event.get("reason") != "SparkApplicationSubmissionFailed":
            continue
        message = event.get("message", "")
        if any(s in message for s in ("admission webhook", "failed calling webhook", "mutate-pods")):
            webhook_failures += event.get("count", 1) or 1
            problems.append("webhook: %s: %s" % (event["involvedObject"].get("name"), message[:300]))

    print(json.dumps({"apps": len(apps), "duplicates": duplicates, "lost": lost, "orphans": orphans,
                      "webhook_failures": webhook_failures, "problems": problems[:20],
                      "problem_count": len(problems)}))


if __name__ == "__main__":
    main()
