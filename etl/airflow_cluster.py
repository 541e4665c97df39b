"""Airflow on the Celery executor, on loopback: ``news-etl airflow start --executor celery``.

:func:`start_cluster` prepares the metadata database (Postgres, also Celery's result backend)
and the warehouse pool like the standalone start, checks the broker (Redis) answers, then starts
the API server (bound to 127.0.0.1), the scheduler, the DAG processor and N Celery workers, each
``airflow ...`` command in a process group of its own, all recorded in ``cluster.pid`` in the
Airflow home; ``news-etl airflow stop`` (:func:`etl.airflow_service.stop_airflow`) stops those
groups and their descendants, and only them. The workers serve no logs over the network
(``--skip-serve-logs``: the task logs are files in the shared Airflow home) and reach the
Execution API at ``[core] execution_api_server_url``, the API server on loopback.

Each worker has a distinct Celery node name (``news-etl-worker<i>@<host>``), which its tasks
also record as the task instance's ``hostname`` (:func:`etl.airflow_env.task_hostname`), so
which worker ran which try can be read from the REST API. Nothing here imports Airflow.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import redis

from etl.airflow_env import (
    airflow_executable,
    celery_environment,
    prepare_airflow,
)
from etl.airflow_service import (
    ADMIN_USER,
    PID_FILES,
    Standalone,
    _healthy,
    admin_password,
    refuse_second_start,
    standalone_environment,
    stop_airflow,
)
from etl.errors import ConfigError
from etl.settings import TASK_HOSTNAME_VAR, Settings
from etl.warehouse import writer

#: The pid file of the cluster's process groups (one ``<pgid> <component>`` line each).
CLUSTER_PID_FILE = PID_FILES[1]


@dataclass(frozen=True)
class Component:
    """One ``airflow`` command of the cluster: its name, arguments and extra environment."""

    name: str
    args: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Cluster(Standalone):
    """A running Celery cluster (``pid`` is the API server's; ``log`` the components' log
    folder); ``groups``: each component's process group; ``workers``: the Celery node names."""

    groups: Mapping[str, int] = field(default_factory=dict)
    workers: tuple[str, ...] = ()


def worker_name(index: int, host: str | None = None) -> str:
    """The Celery node name of worker ``index`` (1-based) on ``host`` (default: this machine)."""
    return f"news-etl-worker{index}@{host or socket.getfqdn()}"


def worker_component(settings: Settings, index: int, host: str | None = None) -> Component:
    """Celery worker ``index`` (1-based) on ``host``: its node name, ``--concurrency`` from the
    settings, no log server, and the host name its tasks record."""
    name = worker_name(index, host)
    args: tuple[str, ...] = ("celery", "worker", "--celery-hostname", name)
    args += ("--concurrency", str(settings.airflow_worker_concurrency), "--skip-serve-logs")
    task_env = {
        TASK_HOSTNAME_VAR: name,
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": "etl.airflow_env.task_hostname",
    }
    return Component(f"celery-worker-{index}", args, task_env)


def cluster_components(settings: Settings, port: int, host: str | None = None) -> list[Component]:
    """The commands of a cluster serving on ``settings.airflow_api_host``:``port`` (loopback by
    default), in start order: API server, scheduler, DAG processor, then
    ``settings.airflow_celery_workers`` Celery workers (none: the workers run elsewhere)."""
    api_host = settings.airflow_api_host
    components = [
        Component("api-server", ("api-server", "--host", api_host, "--port", str(port))),
        Component("scheduler", ("scheduler", "--skip-serve-logs")),
        Component("dag-processor", ("dag-processor",)),
    ]
    for index in range(1, settings.airflow_celery_workers + 1):
        components.append(worker_component(settings, index, host))
    return components


def cluster_environment(
    settings: Settings, port: int, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The Celery environment (:func:`etl.airflow_env.celery_environment`) plus what serving on
    ``settings.airflow_api_host``:``port`` needs (API host, port and base URL, the Execution
    API's URL, which the local workers reach on loopback)."""
    env = standalone_environment(settings, port, celery_environment(settings, base))
    env["AIRFLOW__API__HOST"] = settings.airflow_api_host
    return env


def worker_environment(
    settings: Settings, api_url: str, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment of a Celery worker on another machine than the API server at
    ``api_url`` (``http://host:port``): the Celery environment, with the Execution API there."""
    env = celery_environment(settings, base)
    bin_dir = str(Path(airflow_executable()).parent)
    env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", "")])
    env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] = f"{api_url.rstrip('/')}/execution/"
    return env


def run_worker(settings: Settings, *, api_url: str, index: int = 1) -> NoReturn:
    """Become Celery worker ``index`` of the cluster whose API server is at ``api_url``: check
    the broker answers, then replace this process with ``airflow celery worker`` (in the
    foreground, for a service manager such as systemd to supervise; Ctrl-C stops it)."""
    env = worker_environment(settings, api_url)
    check_broker(env["AIRFLOW__CELERY__BROKER_URL"])
    component = worker_component(settings, index)
    os.execve(
        airflow_executable(), [airflow_executable(), *component.args], {**env, **component.env}
    )


def check_broker(url: str, timeout_s: float = 5) -> None:
    """Raise :class:`ConfigError` unless the Redis broker at ``url`` answers PING."""
    if not url.startswith(("redis://", "rediss://")):
        return  # another broker (e.g. RabbitMQ): Celery reports it itself
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout_s)
        try:
            client.ping()
        finally:
            client.close()
    except redis.RedisError as exc:
        raise ConfigError(
            f"the Celery broker at {url} does not answer ({exc}); start Redis first "
            "(scripts/ci_redis.sh start, or Debian's redis-server; see README)"
        ) from exc


def celery_workers(env: Mapping[str, str]) -> list[str]:
    """The node names of the Celery workers that answer the broker now (none when the query
    fails: the caller waits for them)."""
    proc = subprocess.run(
        [airflow_executable(), "celery", "list-workers", "--output", "json"],
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return []
    # Log lines may precede the JSON on standard output; the list is the last line.
    lines = [line for line in proc.stdout.splitlines() if line.startswith("[")]
    try:
        listed = json.loads(lines[-1]) if lines else []
    except ValueError:
        return []
    return sorted(str(worker["worker_name"]) for worker in listed)


def _record(pid_file: Path, groups: Mapping[str, int]) -> None:
    pid_file.write_text("".join(f"{g} {name}\n" for name, g in groups.items()), encoding="utf-8")


def start_cluster(
    settings: Settings,
    *,
    port: int = 8080,
    base_env: Mapping[str, str] | None = None,
    timeout_s: float = 300,
    echo: Callable[[str], None] = print,
) -> Cluster:
    """Prepare, start the Celery cluster's components and wait until the API server, scheduler
    and DAG processor are healthy and every worker answers the broker. On a failure everything
    started so far is stopped again and :class:`ConfigError` names the logs."""
    env = cluster_environment(settings, port, base_env)
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    refuse_second_start(home)
    check_broker(env["AIRFLOW__CELERY__BROKER_URL"])
    echo(f"preparing Airflow metadata ({env['NEWS_ETL_AIRFLOW_DB']}) and the pool in {home} ...")
    prepare_airflow(env)
    with writer(settings):
        pass  # the set-up step creates the warehouse file once and migrates it
    logs = home / "cluster-logs"
    logs.mkdir(exist_ok=True)
    components = cluster_components(settings, port)
    groups: dict[str, int] = {}
    procs: dict[str, subprocess.Popen[bytes]] = {}
    pid_file = home / CLUSTER_PID_FILE
    for component in components:
        with (logs / f"{component.name}.log").open("ab") as out:
            procs[component.name] = proc = subprocess.Popen(
                [airflow_executable(), *component.args],
                env={**env, **component.env},
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # a process group of its own, stopped as a whole
            )
        groups[component.name] = proc.pid
        _record(pid_file, groups)  # recorded at once: a failed start is stopped in full
        echo(f"started {component.name} (pid {proc.pid}, log {logs / component.name}.log)")
    url = env["AIRFLOW__API__BASE_URL"]
    workers = tuple(worker_name(i) for i in range(1, settings.airflow_celery_workers + 1))
    deadline = time.monotonic() + timeout_s

    def fail(why: str) -> ConfigError:
        stop_airflow(home)
        return ConfigError(f"the Celery cluster did not start: {why}; see the logs in {logs}")

    while not _healthy(url) or not set(workers) <= set(celery_workers(env)):
        exited = [name for name, proc in procs.items() if proc.poll() is not None]
        if exited:
            raise fail(f"{', '.join(exited)} exited")
        if time.monotonic() > deadline:
            raise fail(f"not healthy with {len(workers)} workers after {timeout_s:.0f} s")
        time.sleep(1)
    while True:
        try:
            password = admin_password(home)
            break
        except ConfigError as exc:
            if time.monotonic() > deadline:
                raise fail(str(exc)) from exc
            time.sleep(0.5)
    return Cluster(
        groups["api-server"], url, ADMIN_USER, password, home, logs, dict(groups), workers
    )
