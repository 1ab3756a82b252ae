#!/usr/bin/env python3
"""What a SparkApplication write costs the local cluster's API server, against a ConfigMap create as the unit,
compared two ways. The SparkApplication CRD embeds Kubernetes' pod types for the driver, the executor and the
volumes (about 1 MB of schema): COMPARE=schema asks whether that schema is what makes a status write dear (the API
server computes a custom resource's managed fields and validates it against the schema). COMPARE=patch asks
whether a status write is cheaper as a JSON merge patch of the status alone (the resourceVersion in the patch, so
that it is conditional as a PUT is) than as the PUT of the whole object the controller makes.

    bench/crd_write_cost.py [N=1000] [ROUNDS=3] [COMPARE=schema|patch]

Installs copies of deploy/crd's SparkApplication CRD under groups of their own (so the real one and its apps are
not touched): `full.crd-cost.bench` as it is and, for COMPARE=schema, `slim.crd-cost.bench` with the driver,
executor and volumes left unchecked (x-kubernetes-preserve-unknown-fields). For each variant, alternated ROUNDS
times in a fresh namespace: N creates of deploy/examples/spark-application-example.yaml, N status writes to
SUBMITTED and N to RUNNING (the status the controller writes, 5 executors), then N ConfigMap creates; 16 in
flight, as the native lanes. Prints per operation the rate and the API server's and etcd's CPU milliseconds (from
/proc: the cluster must be tools/cluster/up.sh's, on this machine). Asserts nothing; deletes what it made.
"""
import copy
import http.client
import json
import os
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLUSTER = os.environ.get("SO_CLUSTER_DIR", os.path.join(ROOT, ".local/cluster"))
KUBECTL = ["kubectl", "--kubeconfig", os.path.join(CLUSTER, "kubeconfig")]
CONCURRENCY = 16


def cluster_env():
    env = {}
    with open(os.path.join(CLUSTER, "env")) as f:
        for line in f:
            key, _, value = line.strip().removeprefix("export ").partition("=")
            env[key] = value.strip("\"'")
    return env


def as_json(text):
    """YAML text as JSON, by kubectl (a custom resource's kind must be served already)."""
    out = subprocess.run(KUBECTL + ["create", "--dry-run=client", "-o", "json", "-f", "-"], input=text.encode(),
                         check=True, capture_output=True).stdout
    return json.loads(out)


def read(relative_path):
    with open(os.path.join(ROOT, relative_path)) as f:
        return f.read()


class Api:
    def __init__(self, env):
        self.url = urllib.parse.urlparse(env["APISERVER_URL"])
        self.tls = ssl.create_default_context(cafile=env["APISERVER_CA"])
        self.tls.load_cert_chain(env["ADMIN_CLIENT_CERT"], env["ADMIN_CLIENT_KEY"])
        self.local = threading.local()

    def call(self, method, path, body=None, content_type="application/json"):
        if not hasattr(self.local, "conn"):
            self.local.conn = http.client.HTTPSConnection(self.url.hostname, self.url.port, context=self.tls)
        self.local.conn.request(method, path, body=json.dumps(body) if body is not None else None,
                                headers={"Content-Type": content_type})
        response = self.local.conn.getresponse()
        data = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {data[:300]!r}")
        return json.loads(data)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def in_parallel(count, work):
    """work(0..count-1), CONCURRENCY at a time; the first failure is raised once all have stopped."""
    next_index = iter(range(count))
    lock = threading.Lock()
    failures = []

    def run():
        while True:
            with lock:
                i = None if failures else next(next_index, None)
            if i is None:
                return
            try:
                work(i)
            except Exception as e:  # noqa: BLE001 - handed to the caller
                with lock:
                    failures.append(e)

    threads = [threading.Thread(target=run) for _ in range(CONCURRENCY)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise failures[0]


def wait_until(what, check, seconds=60):
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {seconds} s")
        time.sleep(0.2)


def measured(env, label, count, work):
    api0, etcd0, t0 = cpu_seconds(env["KUBE_APISERVER_PID"]), cpu_seconds(env["ETCD_PID"]), time.monotonic()
    in_parallel(count, work)
    wall = time.monotonic() - t0
    api = cpu_seconds(env["KUBE_APISERVER_PID"]) - api0
    etcd = cpu_seconds(env["ETCD_PID"]) - etcd0
    print(f"  {label:32s} {count / wall:6.0f}/s   API server {1000 * api / count:5.2f} ms   "
          f"etcd {1000 * etcd / count:5.2f} ms", flush=True)


def crd_copy(crd, group, slim):
    crd = copy.deepcopy(crd)
    crd["metadata"] = {"name": f"{crd['spec']['names']['plural']}.{group}"}
    crd["spec"]["group"] = group
    if slim:
        for version in crd["spec"]["versions"]:
            spec = version["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
            unchecked = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
            spec["driver"] = dict(unchecked)
            spec["executor"] = dict(unchecked)
            spec["volumes"] = {"type": "array", "items": dict(unchecked)}
    return crd


def round_for(env, api, app, group, patch, round_index, n):
    ns = f"crd-cost-{group.split('.')[0]}-{'patch' if patch else 'put'}-{round_index}-{os.getpid()}"
    api.call("POST", "/api/v1/namespaces", {"metadata": {"name": ns}})
    try:
        measure_round(env, api, app, group, patch, ns, round_index, n)
    finally:
        # Gone before the next round starts: deleting N objects would otherwise load the server it measures.
        subprocess.run(KUBECTL + ["delete", "namespace", ns, "--wait=true", "--timeout=300s"], check=True,
                       capture_output=True)


def measure_round(env, api, app, group, patch, ns, round_index, n):
    base = f"/apis/{group}/v1alpha1/namespaces/{ns}/sparkapplications"
    stored = {}

    def create(i):
        body = copy.deepcopy(app)
        body["apiVersion"] = f"{group}/v1alpha1"
        body["metadata"] = {"name": f"app-{i}", "namespace": ns}
        stored[i] = api.call("POST", base, body)

    def status_write(state):
        def write(i):
            # What the controller writes at those two steps.
            status = {
                "applicationState": {"state": state}, "submissionAttempts": 1, "submissionNumber": 1,
                "executionAttempts": 1 if state == "RUNNING" else 0, "observedGeneration": 1,
                "lastSubmissionAttemptTime": "2026-12-05T03:00:00Z", "submissionTime": "2026-12-05T03:00:01Z",
                "driverInfo": {"podName": f"app-{i}-1-driver", "webUIServiceName": f"app-{i}-ui-svc",
                               "webUIPort": 4040},
                "executorState": {f"app-{i}-exec-{k}": state for k in range(1, 6)} if state == "RUNNING" else {}}
            if patch:
                body = {"metadata": {"resourceVersion": stored[i]["metadata"]["resourceVersion"]}, "status": status}
                stored[i] = api.call("PATCH", f"{base}/app-{i}/status", body, "application/merge-patch+json")
            else:
                stored[i]["status"] = status
                stored[i] = api.call("PUT", f"{base}/app-{i}/status", stored[i])
        return write

    def configmap(i):
        api.call("POST", f"/api/v1/namespaces/{ns}/configmaps",
                 {"metadata": {"name": f"cm-{i}"}, "data": {"spark.properties": "spark.key=value\n" * 20}})

    verb = "merge PATCH" if patch else "PUT"
    print(f"{group}, status by {verb}, round {round_index + 1}, N={n}:")
    measured(env, "app create", n, create)
    measured(env, f"status {verb} (SUBMITTED)", n, status_write("SUBMITTED"))
    measured(env, f"status {verb} (RUNNING)", n, status_write("RUNNING"))
    measured(env, "ConfigMap create", n, configmap)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    compare = sys.argv[3] if len(sys.argv) > 3 else "schema"
    if compare not in ("schema", "patch"):
        sys.exit(f"crd_write_cost: COMPARE is schema or patch, not {compare}")
    env = cluster_env()
    api = Api(env)
    crd = as_json(read("deploy/crd/spark-operator.k8s.io_sparkapplications.yaml"))
    # (group, slim schema, status by merge patch)
    if compare == "schema":
        variants = [("full.crd-cost.bench", False, False), ("slim.crd-cost.bench", True, False)]
    else:
        variants = [("full.crd-cost.bench", False, False), ("full.crd-cost.bench", False, True)]
    copies = [crd_copy(crd, group, slim) for group, slim in {(g, s) for g, s, _ in variants}]
    try:
        for c in copies:
            subprocess.run(KUBECTL + ["apply", "--server-side", "-f", "-"], input=json.dumps(c).encode(), check=True,
                           capture_output=True)
        for c in copies:
            # A CRD created this instant has no conditions yet, which `kubectl wait` takes for an error.
            wait_until(f"{c['metadata']['name']} established", lambda: subprocess.run(
                KUBECTL + ["wait", "--for=condition=Established", f"crd/{c['metadata']['name']}"],
                capture_output=True).returncode == 0)
        example = read("deploy/examples/spark-application-example.yaml").replace(
            "apiVersion: spark-operator.k8s.io/", f"apiVersion: {variants[0][0]}/")
        # kubectl learns of the new group by discovery, which may lag its establishment by a moment.
        wait_until("the example parsed against the new group", lambda: subprocess.run(
            KUBECTL + ["create", "--dry-run=client", "-o", "json", "-f", "-"], input=example.encode(),
            capture_output=True).returncode == 0)
        app = as_json(example)
        for round_index in range(rounds):
            for group, _, patch in variants:
                round_for(env, api, app, group, patch, round_index, n)
    finally:
        for c in copies:
            subprocess.run(KUBECTL + ["delete", "crd", c["metadata"]["name"], "--wait=false"], capture_output=True)


if __name__ == "__main__":
    main()
