"""Render deploy/nginx.conf for given upstreams: used by the tests, the load bench and deployments."""

import argparse
from pathlib import Path

TEMPLATE = Path(__file__).with_name("nginx.conf")


def render(port: int, upstreams: list[str], static_root: str, prefix: str) -> str:
    servers = "\n".join(f"        server {upstream};" for upstream in upstreams)
    text = TEMPLATE.read_text()
    for name, value in {"@PORT@": str(port), "@UPSTREAMS@": servers, "@STATIC_ROOT@": static_root}.items():
        text = text.replace(name, value)
    return text.replace("@PREFIX@", prefix)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", action="append", required=True, help="host:port of a gunicorn instance")
    parser.add_argument("--static-root", required=True)
    parser.add_argument("--prefix", required=True, help="writable folder for pid, logs, temp files and cache")
    args = parser.parse_args()
    print(render(args.port, args.upstream, args.static_root, args.prefix))


if __name__ == "__main__":
    main()
