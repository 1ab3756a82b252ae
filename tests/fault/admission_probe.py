#!/usr/bin/env python3
"""A steady stream of Spark driver pods created with dryRun=All, to count failed admissions.

Each pod asks the initializer for a ConfigMap mount through its annotation; an admission counts as ok only when
the API server answers 201 with that volume in the pod (the webhook ran). Runs until SIGTERM, then writes
{"ok": n, "failed": n, "errors": {message: count}} to --out. Environment: APISERVER_URL, APISERVER_CA,
APISERVER_TOKEN (the local cluster's env file).
"""
import argparse
import http.client
import json
import os
import signal
import ssl
import time
import urllib.parse

stop = False


def on_term(*_):
    global stop
    stop = True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--namespace", required=True)
    parser.add_argument("--configmap", required=True)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)

    url = urllib.parse.urlparse(os.environ["APISERVER_URL"])
    context = ssl.create_default_context(cafile=os.environ["APISERVER_CA"])
    headers = {"Authorization": "Bearer " + os.environ["APISERVER_TOKEN"], "Content-Type": "application/json"}
    path = "/api/v1/namespaces/%s/pods?dryRun=All" % args.namespace
    pod = {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"generateName": "fault-probe-", "labels": {"spark-role": "driver"},
                     "annotations": {"spark-operator.k8s.io/configMap." + args.configmap: "/etc/fault-probe"}},
        "spec": {"restartPolicy": "Never",
                 "containers": [{"name": "spark-kubernetes-driver", "image": "apache/spark:probe"}]},
    }
    body = json.dumps(pod)
    counts = {"ok": 0, "failed": 0, "errors": {}}
    conn = None
    period = 1.0 / args.rate
    next_at = time.monotonic()
    while not stop:
        error = None
        try:
            if conn is None:
                conn = http.client.HTTPSConnection(url.hostname, url.port, context=context, timeout=10)
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read(1 << 20)
            if response.status != 201:
                error = "HTTP %d: %s" % (response.status, json.loads(data).get("message", "")[:200])
            else:
                volumes = json.loads(data).get("spec", {}).get("volumes", [])
                if not any(v.get("configMap", {}).get("name") == args.configmap for v in volumes):
                    error = "admitted without the webhook's mount"
        except (OSError, http.client.HTTPException, ValueError) as e:
            error = "%s: %s" % (type(e).__name__, e)
            if conn is not None:
                conn.close()
            conn = None
        if error is None:
            counts["ok"] += 1
        else:
            counts["failed"] += 1
            counts["errors"][error] = counts["errors"].get(error, 0) + 1
        next_at += period
        time.sleep(max(0.0, next_at - time.monotonic()))
    with open(args.out + ".tmp", "w") as f:
        json.dump(counts, f)
    os.replace(args.out + ".tmp", args.out)


if __name__ == "__main__":
    main()
