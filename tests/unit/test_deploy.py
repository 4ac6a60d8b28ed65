"""The replicas setup's files: nginx accepts the rendered template (deploy/replicas.py's and the nginx image's way),
and the container image and compose file name what exists. (This machine runs no containers: see the README.)"""
import importlib.util
import os
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
_spec = importlib.util.spec_from_file_location("deploy_replicas", DEPLOY / "replicas.py")
replicas = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(replicas)


def need_nginx():
    if NGINX is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is missing in CI (.ci/run installs it)")
        pytest.skip("no nginx on this machine (apt-get install nginx)")


def compose_services(text: str) -> dict[str, str]:
    """{service: its block} of a compose file's top-level `services:` (two-space indented keys)."""
    block = re.search(r"^services:\n((?:[ #].*\n|\n)*)", text, re.M).group(1)
    parts = re.split(r"^  (\w[\w-]*):\n", block, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def test_the_launchers_nginx_config_passes_nginx_t(tmp_path):
    need_nginx()
    main = replicas.write_config(tmp_path, "127.0.0.1:18500", ["127.0.0.1:18501", "127.0.0.1:18502", "127.0.0.1:18503"])
    site = (tmp_path / "nginx" / "playground.conf").read_text()
    assert "server 127.0.0.1:18503;" in site and "listen 127.0.0.1:18500;" in site and "${" not in site
    replicas.check_config(NGINX, main)  # exits with nginx's message when refused
    text = main.read_text()
    assert "daemon off;" in text and all(str(tmp_path) in line for line in text.splitlines()
                                         if line.strip().startswith(("pid", "error_log", "access_log")))


def test_the_template_keeps_sessions_sticky_and_upgrades_the_websocket():
    text = (DEPLOY / "nginx.conf.template").read_text()
    assert set(re.findall(r"\$\{(\w+)\}", text)) == {"PLAYGROUND_LISTEN", "PLAYGROUND_SERVERS"}
    assert "hash $playground_route consistent;" in text and "ip_hash" not in text.split("#")[0]
    stream = text[text.index("location /_stcore/stream"):]
    for line in ("proxy_http_version 1.1;", "proxy_set_header Upgrade $http_upgrade;",
                 "proxy_set_header Connection $playground_connection;", "proxy_read_timeout 1d;"):
        assert line in stream


def test_the_compose_file_renders_the_same_template_for_its_replicas(tmp_path):
    text = (DEPLOY / "compose.yaml").read_text()
    services = compose_services(text)
    apps = [name for name in services if name.startswith("app")]
    assert len(apps) >= 2 and "proxy" in services
    assert all("<<: *app" in services[name] for name in apps)
    anchor = text[text.index("x-app: &app"):text.index("services:")]
    assert "PLAYGROUND_STORE: /store" in anchor and "- runs:/store" in anchor and re.search(r"^  runs:", text, re.M)
    context = re.search(r"context: (\S+)", anchor).group(1)
    assert (DEPLOY / context / re.search(r"dockerfile: (\S+)", anchor).group(1)).resolve() == DEPLOY / "Dockerfile"
    proxy = services["proxy"]
    assert "./nginx.conf.template:/etc/nginx/templates/default.conf.template:ro" in proxy  # replaces the image's default site
    env = dict(re.findall(r'^      (PLAYGROUND_\w+): "(.*)"$', proxy, re.M))
    assert env.keys() == {"PLAYGROUND_LISTEN", "PLAYGROUND_SERVERS"}
    assert re.findall(r"server (\w+):8501;", env["PLAYGROUND_SERVERS"]) == apps
    assert all(f"{name}:\n        condition: service_healthy" in proxy for name in apps)
    # the nginx image's entrypoint: envsubst of the variables it has, then nginx -t here (replica names as local ports)
    site = (DEPLOY / "nginx.conf.template").read_text()
    for name, value in env.items():
        site = site.replace("${%s}" % name, value)
    assert "${" not in site
    if NGINX is None:
        need_nginx()
    for n, name in enumerate(apps):
        site = site.replace(f"server {name}:8501;", f"server 127.0.0.1:{18511 + n};")
    site = site.replace("listen 80;", "listen 127.0.0.1:18510;")
    (tmp_path / "nginx").mkdir()
    (tmp_path / "nginx" / "site.conf").write_text(site)
    main = tmp_path / "nginx" / "nginx.conf"
    main.write_text(replicas.render_main(tmp_path, tmp_path / "nginx" / "site.conf"))
    replicas.check_config(NGINX, main)


def test_the_dockerfile_builds_the_cpu_app_as_a_non_root_user():
    text = (DEPLOY / "Dockerfile").read_text()
    assert text.startswith("#") and re.search(r"^FROM python:3\.11-slim$", text, re.M)
    copies = re.findall(r"^COPY (?:--\S+ )*(\S+) \S+$", text, re.M)
    assert "deploy/requirements.txt" in copies
    for source in copies:
        assert (ROOT / source).exists(), source
    ignored = [line for line in (ROOT / ".dockerignore").read_text().splitlines() if line and not line.startswith("#")]
    assert not [s for s in copies if any(s == i or s.startswith(i + "/") for i in ignored)]
    lock = (DEPLOY / "requirements.txt").read_text()
    assert re.search(r"^torch==[\d.]+\+cpu$", lock, re.M) and "nvidia-" not in lock
    users = re.findall(r"^USER (\S+)$", text, re.M)
    assert users and users[-1] not in ("root", "0")
    health = re.search(r"^HEALTHCHECK .*\n(?:.*\n)*?.*CMD (.*)$", text, re.M).group(1)
    assert "http://localhost:8501/_stcore/health" in health
    cmd = re.search(r"^CMD (\[.*\])$", text, re.M).group(1)
    assert '"--server.port", "8501"' in cmd and '"--server.address", "0.0.0.0"' in cmd
    assert "ENV PLAYGROUND_STORE=/store" in text
