"""How long the manifest checker takes on 1 MiB inputs: `.venv/bin/python bench/checker.py`.

Builds each input in memory, then times it once through each door that a person can
reach: the check API and the checker page (Django's test client, in a scratch SQLite
database), plus the service alone (`check_request`). Budgets (DESIGN.md): a realistic
1 MiB manifest in at most 0.5 s, any 1 MiB input in at most 2 s. Prints seconds, the
share of each budget used, and the size of each answer, beside the time PyYAML's C loader
alone takes to read the same input on the same machine (a yardstick for a busy machine);
asserts nothing.
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024
REALISTIC_BUDGET, ANY_BUDGET = 0.5, 2.0

DEPLOYMENT = """\
---
# Source: shop/templates/deployment-{i}.yaml
apiVersion: {api}
kind: Deployment
metadata:
  name: web-{i}
  namespace: shop
  labels: {{app: web-{i}, tier: frontend, team: payments}}
  annotations:
    deployment.kubernetes.io/revision: "3"
spec:
  replicas: 3
  selector:
    matchLabels: {{app: web-{i}}}
  template:
    metadata:
      labels: {{app: web-{i}, tier: frontend}}
    spec:
      serviceAccountName: web
      containers:
      - name: web
        image: registry.example.com/shop/web:1.{i}.0
        ports: [{{containerPort: 8080, name: http}}]
        env:
        - {{name: LOG_LEVEL, value: info}}
        - {{name: REGION, value: ap-northeast-2}}
        resources:
          requests: {{cpu: 100m, memory: 128Mi}}
          limits: {{cpu: "1", memory: 512Mi}}
        readinessProbe:
          httpGet: {{path: /healthz, port: http}}
          periodSeconds: 5
      volumes:
      - name: config
        configMap: {{name: web-{i}}}
"""

SERVICE = """\
---
apiVersion: v1
kind: Service
metadata:
  name: web-{i}
  namespace: shop
spec:
  selector: {{app: web-{i}}}
  ports:
  - {{name: http, port: 80, targetPort: http}}
"""

INGRESS = """\
---
apiVersion: {api}
kind: Ingress
metadata:
  name: web-{i}
  namespace: shop
  annotations:
    kubernetes.io/ingress.class: nginx
spec:
  rules:
  - host: web-{i}.shop.example.com
    http:
      paths:
      - path: /
        backend: {{serviceName: web-{i}, servicePort: 80}}
"""


def fill(make) -> str:
    parts, size, i = [], 0, 0
    while True:
        part = make(i)
        if size + len(part.encode()) > MIB:
            return "".join(parts)
        parts.append(part)
        size += len(part.encode())
        i += 1


def realistic(i: int) -> str:
    old = i % 7 == 0  # one app in seven still on APIs removed long ago
    return (
        DEPLOYMENT.format(i=i, api="extensions/v1beta1" if old else "apps/v1")
        + SERVICE.format(i=i)
        + INGRESS.format(i=i, api="networking.k8s.io/v1beta1" if old else "networking.k8s.io/v1")
    )


def volumes() -> str:
    head = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: many}\n"
        "spec:\n  containers: [{name: c, image: busybox}]\n  volumes:\n"
    )
    line = "  - {name: v%d, hostPath: {path: /var/run/docker.sock}}\n"
    return fill(lambda i: (head if i == 0 else "") + line % i)


INPUTS = {
    "realistic YAML (Deployments, Services, Ingresses)": lambda: fill(realistic),
    "realistic, as one JSON List": lambda: json_list(fill(realistic)),
    "`{}` run (JSON values)": lambda: "{}" * (MIB // 2),
    "`{}` run (YAML documents)": lambda: "{}\n---\n" * (MIB // 7),
    "empty documents": lambda: "---\n" * (MIB // 4),
    "scalars (one per document)": lambda: "x\n---\n" * (MIB // 6),
    "scalars (one long list)": lambda: "- 1\n" * (MIB // 4),
    "18k volumes mounting the Docker socket": volumes,
    "deep flow nesting": lambda: "[" * (MIB // 2) + "]" * (MIB // 2),
    "one long string": lambda: "apiVersion: v1\nkind: ConfigMap\ndata: {a: '" + "x" * (MIB - 60) + "'}\n",
}


def json_list(yaml_text: str) -> str:
    """The same objects as `kubectl get -o json` prints them, as many as fit in 1 MiB."""
    import yaml

    items = [d for d in yaml.load_all(yaml_text, Loader=yaml.CSafeLoader) if d]
    while True:
        text = json.dumps({"apiVersion": "v1", "kind": "List", "items": items}, indent=4)
        if len(text.encode()) <= MIB:
            return text
        items = items[: len(items) * 9 // 10]


def floor(body: str):
    """What reading the input with PyYAML's C loader alone costs: the machine's yardstick."""
    import yaml

    try:
        return sum(1 for _ in yaml.load_all(body, Loader=yaml.CSafeLoader))
    except (yaml.YAMLError, RecursionError, ValueError):
        return None


def setup_django(directory: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def timed(run):
    start = time.perf_counter()
    answer = run()
    return time.perf_counter() - start, answer


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        setup_django(Path(directory))
        from django.test import Client

        from releasenotes import manifests
        from releasenotes.checker import load_rules

        load_rules()  # read once per process, as a worker does
        client = Client()
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; 'floor' is PyYAML's C loader alone")
        print(
            f"{'input':48} {'KiB':>6} {'floor':>7} {'service':>8} {'API':>8} {'page':>8} {'budget':>6} {'used':>6}"
            "  answer"
        )
        for name, make in INPUTS.items():
            body = make()
            size = len(body.encode())
            budget = REALISTIC_BUDGET if name.startswith("realistic") else ANY_BUDGET

            def service(body=body):
                try:
                    return manifests.check_request(body, "1.25", "1.21")
                except manifests.CheckRequestError as error:
                    return error

            floor_s, _ = timed(lambda body=body: floor(body))
            service_s, result = timed(service)
            api_s, api = timed(
                lambda body=body: client.post(
                    "/api/v1/check/?target=1.25&current=1.21", data=body, content_type="application/yaml"
                )
            )
            page_s, page = timed(
                lambda body=body: client.post("/en/check/", {"manifests": body, "target": "1.25", "current": "1.21"})
            )
            worst = max(service_s, api_s, page_s)
            if isinstance(result, Exception):
                outcome = f"{api.status_code} {result.code}"
            else:
                outcome = f"{api.status_code}, {len(result.findings)} findings, {len(result.report.dockershim)} mounts"
                outcome += ", truncated" if result.truncated else ""
            outcome += f"; API {len(api.content) // 1024} KiB, page {len(page.content) // 1024} KiB"
            print(
                f"{name:48} {size // 1024:>6} {floor_s:>6.3f}s {service_s:>7.3f}s {api_s:>7.3f}s {page_s:>7.3f}s "
                f"{budget:>5.1f}s {worst / budget:>6.0%}  {outcome}"
            )


if __name__ == "__main__":
    main()
