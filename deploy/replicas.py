"""Run the playground as several `streamlit run` processes behind nginx, on one host.

For a school's server: one Streamlit process serves every session from one Python process (one
event loop, one GIL); a big class can be spread over several. This starts N app processes on
127.0.0.1 (ports --app-port, +1, ...), sharing one store of finished runs (PLAYGROUND_STORE), and
Debian's nginx in front of them on one port with sticky sessions and the websocket upgrade
(deploy/nginx.conf.template). Nothing outside the run directory is written: nginx gets its own
configuration, pid file, logs and temp paths there, and runs as this script's child. Ctrl-C or
SIGTERM stops everything; if any process dies, the others are stopped too.

    apt-get install nginx            # Debian's package; its own service is not needed
    .venv/bin/python deploy/replicas.py --processes 2 --port 8500
    .venv/bin/python deploy/replicas.py --processes 2 --port 80 --address 0.0.0.0   # the class's machines

Each app process gets PLAYGROUND_SLOTS = cores // processes training slots (at least 1), so
together they train as many sessions at a time as one process would. Uses only the standard
library; run it with the app's Python (the one that has streamlit).
"""
from __future__ import annotations

import argparse
import os
import pwd
import grp
import shutil
import socket
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
PLACEHOLDERS = ("${PLAYGROUND_LISTEN}", "${PLAYGROUND_SERVERS}")
ACCESS_LOG_FORMAT = '$remote_addr [$time_local] "$request" $status $body_bytes_sent upstream=$upstream_addr route=$playground_route'


def render_site(listen: str, servers: list[str]) -> str:
    """deploy/nginx.conf.template with its two placeholders filled (servers: 'host:port' each)."""
    text = TEMPLATE.read_text()
    for placeholder in PLACEHOLDERS:
        if placeholder not in text:
            raise ValueError(f"{TEMPLATE} lost its placeholder {placeholder}")
    lines = " ".join(f"server {server};" for server in servers)
    return text.replace("${PLAYGROUND_LISTEN}", listen).replace("${PLAYGROUND_SERVERS}", lines)


def worker_user() -> str:
    """The `user` line nginx needs when started as root (its workers drop to an unprivileged user)."""
    if os.geteuid() != 0:
        return ""  # nginx ignores `user` unless it runs as root
    for name in ("www-data", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return f"user {name} {grp.getgrgid(entry.pw_gid).gr_name};\n"
    raise SystemExit("running as root, but neither www-data nor nobody exists for nginx's workers")


def render_main(run_dir: Path, site: Path) -> str:
    """A whole nginx.conf that keeps everything (pid, logs, temp files) in run_dir and stays in the foreground."""
    nginx_dir = run_dir / "nginx"
    temps = "\n".join(f"    {kind}_temp_path {nginx_dir / (kind + '_temp')};"
                      for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (
        f"# written by deploy/replicas.py; edit deploy/nginx.conf.template instead\n"
        f"{worker_user()}"
        f"daemon off;\n"
        f"worker_processes 1;\n"
        f"pid {nginx_dir / 'nginx.pid'};\n"
        f"error_log {nginx_dir / 'error.log'} warn;\n"
        f"events {{ worker_connections 1024; }}\n"
        f"http {{\n"
        f"    log_format playground '{ACCESS_LOG_FORMAT}';\n"
        f"    access_log {nginx_dir / 'access.log'} playground;\n"
        f"{temps}\n"
        f"    include {site};\n"
        f"}}\n"
    )


def write_config(run_dir: Path, listen: str, servers: list[str]) -> Path:
    """Write run_dir/nginx/{playground.conf,nginx.conf}; returns the main file."""
    nginx_dir = run_dir / "nginx"
    nginx_dir.mkdir(parents=True, exist_ok=True)
    site = nginx_dir / "playground.conf"
    site.write_text(render_site(listen, servers))
    main = nginx_dir / "nginx.conf"
    main.write_text(render_main(run_dir, site))
    return main


def nginx_command(nginx: str, main: Path, *extra: str) -> list[str]:
    prefix = main.parent
    return [nginx, "-p", f"{prefix}/", "-e", str(prefix / "error.log"), "-c", str(main), *extra]


def check_config(nginx: str, main: Path) -> None:
    """`nginx -t` on the written configuration; exits with nginx's message when it is refused."""
    done = subprocess.run(nginx_command(nginx, main, "-t"), capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"nginx refused {main}:\n{done.stderr}")


def port_free(port: int, address: str = "127.0.0.1") -> bool:
    """Whether nothing listens on address:port yet."""
    with socket.socket() as s:
        try:
            s.bind((address, port))
        except OSError:
            return False
    return True


def healthy(url: str) -> bool:
    try:
        return urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok"
    except OSError:
        return False


class Replicas:
    """The app processes and nginx; start() waits until each app answers /_stcore/health."""

    def __init__(self, processes: int, port: int, app_port: int, address: str, store: Path, run_dir: Path,
                 nginx: str, app: str = "streamlit_app.py"):
        self.ports = [app_port + i for i in range(processes)]
        self.port, self.address, self.store, self.run_dir, self.nginx, self.app = port, address, store, run_dir, nginx, app
        self.apps: list[subprocess.Popen] = []
        self.proxy: subprocess.Popen | None = None
        self._logs: list = []

    def app_env(self) -> dict:
        env = dict(os.environ, PLAYGROUND_STORE=str(self.store))
        if not env.get("PLAYGROUND_SLOTS", "").isdigit():  # one process's worth of slots, split between them
            cores = len(os.sched_getaffinity(0))
            threads = int(env.get("PLAYGROUND_THREADS", "1") or 1)
            env["PLAYGROUND_SLOTS"] = str(max(1, cores // max(1, threads) // len(self.ports)))
        return env

    def start(self, timeout: float = 120) -> None:
        nginx = shutil.which(self.nginx) or (self.nginx if Path(self.nginx).exists() else None)
        if nginx is None:
            raise SystemExit(f"no nginx at {self.nginx!r}: apt-get install nginx (or pass --nginx PATH)")
        taken = [p for p in self.ports if not port_free(p)]
        if taken:
            raise SystemExit(f"port {taken[0]} is in use: pass another --app-port")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.store.mkdir(parents=True, exist_ok=True)
        main = write_config(self.run_dir, f"{self.address}:{self.port}", [f"127.0.0.1:{p}" for p in self.ports])
        check_config(nginx, main)
        env = self.app_env()
        for port in self.ports:
            log = open(self.run_dir / f"app-{port}.log", "w")
            self._logs.append(log)
            self.apps.append(subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", self.app, "--server.port", str(port),
                 "--server.address", "127.0.0.1", "--server.headless", "true"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL))
        deadline = time.monotonic() + timeout
        waiting = set(self.ports)
        while waiting:
            self.check_alive()
            waiting = {p for p in waiting if not healthy(f"http://127.0.0.1:{p}")}
            if waiting and time.monotonic() > deadline:
                raise RuntimeError(f"app processes on {sorted(waiting)} did not answer within {timeout:g} s "
                                   f"(logs in {self.run_dir})")
            if waiting:
                time.sleep(0.3)
        self.proxy = subprocess.Popen(nginx_command(nginx, main), stdin=subprocess.DEVNULL)
        while not healthy(self.url):
            self.check_alive()
            if time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not answer on {self.url} (see {self.run_dir / 'nginx' / 'error.log'})")
            time.sleep(0.2)

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.address in ("0.0.0.0", "*") else self.address
        return f"http://{host}:{self.port}"

    def check_alive(self) -> None:
        for port, proc in zip(self.ports, self.apps):
            if proc.poll() is not None:
                raise RuntimeError(f"the app process on port {port} exited ({proc.returncode}); "
                                   f"see {self.run_dir / f'app-{port}.log'}")
        if self.proxy is not None and self.proxy.poll() is not None:
            raise RuntimeError(f"nginx exited ({self.proxy.returncode}); see {self.run_dir / 'nginx' / 'error.log'}")

    def stop(self) -> None:
        for proc in ([self.proxy] if self.proxy else []) + self.apps:
            if proc.poll() is None:
                proc.terminate()
        for proc in ([self.proxy] if self.proxy else []) + self.apps:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        for log in self._logs:
            log.close()
        self._logs = []


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=2, help="app processes (default 2)")
    parser.add_argument("--port", type=int, default=8500, help="the port browsers use, nginx's (default 8500)")
    parser.add_argument("--address", default="127.0.0.1",
                        help="nginx's address (default 127.0.0.1; 0.0.0.0 lets the class's machines in)")
    parser.add_argument("--app-port", type=int, default=8501, help="the first app process's port on 127.0.0.1 (default 8501)")
    parser.add_argument("--run-dir", type=Path, default=ROOT / "run",
                        help="logs, nginx's configuration, pid and temp files (default: run/ in the repository)")
    parser.add_argument("--store", type=Path, default=None,
                        help="the shared store of finished runs (default: $PLAYGROUND_STORE, else RUN_DIR/store)")
    parser.add_argument("--nginx", default=os.environ.get("NGINX", "nginx"), help="nginx binary (default: nginx on PATH)")
    parser.add_argument("--app", default="streamlit_app.py", help="entry point (deploy/streamlit_app.py works too)")
    args = parser.parse_args(argv)
    if args.processes < 1:
        parser.error("--processes must be at least 1")
    if args.store is None:
        args.store = Path(os.environ["PLAYGROUND_STORE"]) if os.environ.get("PLAYGROUND_STORE") else args.run_dir / "store"
    args.run_dir, args.store = args.run_dir.resolve(), args.store.resolve()
    os.environ.setdefault("PATH", "")
    os.environ["PATH"] += os.pathsep + "/usr/sbin"  # Debian installs nginx there, outside a user's PATH
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    replicas = Replicas(args.processes, args.port, args.app_port, args.address, args.store, args.run_dir, args.nginx, args.app)
    stopping = []

    def on_signal(signum, _frame):
        stopping.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        replicas.start()
        print(f"playground: {args.processes} process(es) on 127.0.0.1:{','.join(map(str, replicas.ports))} behind nginx; "
              f"open {replicas.url} (store {args.store}, logs in {args.run_dir}); Ctrl-C stops", flush=True)
        while True:
            replicas.check_alive()
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("playground: stopping", flush=True)
        return 0
    except RuntimeError as error:
        print(f"playground: {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        replicas.stop()


if __name__ == "__main__":
    sys.exit(main())
