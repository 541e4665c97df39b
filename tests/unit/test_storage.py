"""Locations (etl.storage): parsing paths and URLs, the settings' staging root, the S3 secret
DuckDB gets from the AWS variables, and RunStaging / leftovers on an fsspec filesystem (the
in-memory one: no server needed; S3 itself is in tests/integration/test_s3_staging.py)."""

from __future__ import annotations

import uuid
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from etl import leftovers
from etl.errors import StagingError, StagingUnavailableError, is_retryable
from etl.load.staging import SCHEMAS, RunStaging
from etl.settings import Settings, load_settings
from etl.storage import Location, configure_duckdb, location, s3_secret_sql


def _memory_root() -> str:
    return f"memory://staging-{uuid.uuid4().hex}"


# Parsing


def test_plain_paths_are_local_and_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert location("runs/a") == Location("file", str(tmp_path / "runs" / "a"))
    assert location(tmp_path / "x").url == str(tmp_path / "x")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert location("~/s").path == str(tmp_path / "home" / "s")
    assert location(tmp_path).is_local


def test_file_urls_are_local_folders_with_their_escapes_undone() -> None:
    loc = location("file:///srv/news%20etl/staging")
    assert loc == Location("file", "/srv/news etl/staging")
    assert loc.local_path == Path("/srv/news etl/staging")


def test_object_storage_urls() -> None:
    loc = location("s3://bucket/prefix/deeper/")
    assert (loc.protocol, loc.path) == ("s3", "bucket/prefix/deeper")
    assert loc.url == str(loc) == "s3://bucket/prefix/deeper"
    assert not loc.is_local
    assert (loc / "run-1" / "batch-0000/articles.parquet").url == (
        "s3://bucket/prefix/deeper/run-1/batch-0000/articles.parquet"
    )
    assert (loc / "run-1").name == "run-1"
    assert location("GS://bucket").url == "gs://bucket"
    assert location("memory://zone/a").path == "/zone/a"
    assert location("memory://zone/a").url == "memory://zone/a"
    # Only fsspec's in-memory store is private to a process (a forked batch or validate step
    # would write to its own copy); files and object stores are seen by every process.
    assert [
        location(u).is_process_local
        for u in ("memory://zone/a", "/tmp/zone", "s3://bucket/p", "gs://bucket", "file:///tmp")
    ] == [True, False, False, False, False]
    assert location(loc) is loc
    with pytest.raises(ValueError, match="not a local path"):
        _ = loc.local_path
    for bad in ("s3://", "s3:///", "not a/scheme://x"):
        with pytest.raises(ValueError, match="not a storage URL"):
            location(bad)


def test_staging_dir_setting_takes_urls_and_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWS_ETL_STAGING_DIR", "s3://bucket/staging/")
    settings = Settings(warehouse=tmp_path / "w.duckdb")
    assert settings.staging_root == "s3://bucket/staging"
    # The plan stores the settings as JSON and later steps rebuild them: the URL survives.
    again = Settings(**settings.model_dump(mode="json"))
    assert again.staging_root == "s3://bucket/staging"

    monkeypatch.setenv("NEWS_ETL_STAGING_DIR", (tmp_path / "a b").as_uri())
    assert Settings().staging_root == tmp_path / "a b"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWS_ETL_STAGING_DIR", "rel")
    assert Settings().staging_root == tmp_path / "rel"
    monkeypatch.delenv("NEWS_ETL_STAGING_DIR")
    default = load_settings(warehouse=tmp_path / "wh" / "w.duckdb")
    assert default.staging_root == tmp_path / "wh" / "staging"


# The S3 secret


ENV = {
    "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalr'XUtnFEMI",
    "AWS_SESSION_TOKEN": "token-1",
    "AWS_DEFAULT_REGION": "eu-west-3",
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9000",
}


def _secret(con: duckdb.DuckDBPyConnection) -> tuple[str, list[str], str]:
    ((kind, scope, text),) = con.execute(
        "SELECT type, scope, secret_string FROM duckdb_secrets()"
    ).fetchall()
    return str(kind), list(scope), str(text)


@pytest.fixture
def httpfs() -> duckdb.DuckDBPyConnection:
    from etl.extensions import load_extension

    con = duckdb.connect()
    load_extension(con, "httpfs")
    return con


def test_the_s3_secret_is_built_from_the_aws_variables(httpfs: duckdb.DuckDBPyConnection) -> None:
    httpfs.execute(s3_secret_sql("s", "s3://bucket", ENV))
    kind, scope, text = _secret(httpfs)
    assert (kind, scope) == ("s3", ["s3://bucket"])
    fields = dict(part.split("=", 1) for part in text.split(";") if "=" in part)
    assert fields["key_id"] == "AKIDEXAMPLE"
    assert fields["region"] == "eu-west-3"
    assert fields["endpoint"] == "127.0.0.1:9000"
    assert fields["url_style"] == "path"
    assert fields["use_ssl"] == "false"
    assert fields["secret"] == fields["session_token"] == "redacted"


def test_the_s3_specific_endpoint_wins_and_https_means_ssl(
    httpfs: duckdb.DuckDBPyConnection,
) -> None:
    env = {**ENV, "AWS_ENDPOINT_URL_S3": "https://minio.example:9443", "AWS_REGION": "us-east-2"}
    httpfs.execute(s3_secret_sql("s", "s3://b", env))
    fields = dict(p.split("=", 1) for p in _secret(httpfs)[2].split(";") if "=" in p)
    assert (fields["endpoint"], fields["use_ssl"], fields["region"]) == (
        "minio.example:9443",
        "true",
        "us-east-2",
    )


def test_without_keys_duckdb_uses_its_credential_chain() -> None:
    sql = s3_secret_sql("s", "s3://b", {})
    assert "PROVIDER credential_chain" in sql
    assert "KEY_ID" not in sql and "ENDPOINT" not in sql


def test_configure_duckdb(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    con = duckdb.connect()
    configure_duckdb(con, tmp_path)  # local: nothing to do
    assert con.execute("SELECT count(*) FROM duckdb_secrets()").fetchone() == (0,)
    configure_duckdb(con, "s3://news-bucket/staging/run")
    configure_duckdb(con, "s3://news-bucket/other")  # the same bucket: its secret replaced
    configure_duckdb(con, "s3://second.bucket/x")
    scopes = con.execute("SELECT scope FROM duckdb_secrets() ORDER BY 1").fetchall()
    assert scopes == [(["s3://news-bucket"],), (["s3://second.bucket"],)]
    with pytest.raises(ValueError, match="only local paths and s3://"):
        configure_duckdb(con, "gs://bucket/x")


# Locations at work


def test_local_locations_write_atomically_list_and_remove(tmp_path: Path) -> None:
    root = location(tmp_path / "root")
    (root / "b" / "x.bin").write_bytes(b"12345")
    (root / "a" / "y.txt").write_text("hé")
    (root / "file-not-folder").touch()
    assert [c.name for c in root.children()] == ["a", "b"]
    assert (root / "a" / "y.txt").read_text() == "hé"
    assert not list((tmp_path / "root").rglob("*.tmp"))
    sizes = {e.location.name: e.size for e in root.files()}
    assert sizes == {"x.bin": 5, "y.txt": 3, "file-not-folder": 0}
    (root / "a").remove()
    (root / "file-not-folder").remove()
    (root / "never-there").remove()
    assert [e.location.name for e in root.files()] == ["x.bin"]
    assert location(tmp_path / "missing").children() == []


def test_run_staging_on_an_fsspec_filesystem() -> None:
    root = f"{_memory_root()}/run-1"
    staging = RunStaging(root)
    assert staging.plan_path.url == f"{root}/plan.json"
    with pytest.raises(StagingError, match="missing"):
        staging.read("ledger", 0)
    assert staging.rows("ledger", 0) == 0
    empty = dict.fromkeys(SCHEMAS["ledger"].names)
    rows = [
        {**empty, "path": "a.txt", "sha256": "s", "size_bytes": 3, "mtime_ns": 1, "outcome": "new"},
        {**empty, "path": "b.txt", "sha256": "t", "size_bytes": 4, "mtime_ns": 2, "outcome": None},
    ]
    written = staging.write("ledger", 2, rows)
    assert written.url == f"{root}/batch-0002/ledger.parquet"
    table = staging.read("ledger", 2)
    assert table.column("path").to_pylist() == ["a.txt", "b.txt"]
    assert table.schema.field("outcome").type == pa.string()
    assert staging.read("ledger", 2, columns=["path"]).column_names == ["path"]
    encoded = staging.read("ledger", 2, columns=["path"], dictionary=["path"])
    assert pa.types.is_dictionary(encoded.schema.field("path").type)
    assert staging.rows("ledger", 2) == 2
    assert staging.files("ledger", range(4)) == [written.url]
    staging.remove()
    assert staging.files("ledger", range(4)) == []
    assert not staging.root.exists()


def test_leftovers_on_object_storage_go_by_age_alone() -> None:
    root = _memory_root()
    run = location(root) / "run-7"
    assert leftovers.own(run) is None  # no owner lock on object storage
    (run / "plan.json").write_text('{"run_id": "run-7"}')
    assert leftovers.is_owned(run) is False
    assert leftovers.find_abandoned(root, idle_after_s=3600) == []
    (found,) = leftovers.find_abandoned(root, idle_after_s=0)
    assert (found.run_id, found.staging, found.plan) == ("run-7", run, {"run_id": "run-7"})
    (run / leftovers.KEPT).touch()
    assert leftovers.find_abandoned(root, idle_after_s=0) == []


def test_leftovers_are_only_folders_a_run_marked() -> None:
    # With the staging setting naming the landing zone, its day folders were taken for
    # abandoned runs and deleted, raw files and all (probe): a folder no run wrote its owner
    # lock, plan, failure note or replay's saved verdicts into is not one.
    root = _memory_root()
    (location(root) / "2024-01-07" / "article.txt").write_text(" date 2024-01-07 News.")
    (location(root) / "projects" / "plan.txt").write_text("not a plan")
    assert leftovers.find_abandoned(root, idle_after_s=0) == []
    for mark in ("plan.json", "failures/load.json", "replay_forgotten.json"):
        run = location(root) / f"run-{len(mark)}"
        (run / mark).write_text("{}")
    found = sorted(f.run_id for f in leftovers.find_abandoned(root, idle_after_s=0))
    assert found == ["run-18", "run-21", "run-9"]


@pytest.fixture
def unreachable_s3(monkeypatch: pytest.MonkeyPatch) -> str:
    """AWS variables pointing at a loopback port nothing listens on; a bucket URL there."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    for key, value in {**ENV, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    return f"s3://unreachable-{uuid.uuid4().hex[:8]}"


def test_an_unreachable_object_store_is_a_retryable_error(unreachable_s3: str) -> None:
    target = location(f"{unreachable_s3}/run/plan.json")
    with pytest.raises(StagingUnavailableError, match="cannot reach s3://unreachable-") as info:
        target.write_text("{}")
    assert is_retryable(info.value)


def test_a_step_keeps_its_own_error_when_its_note_cannot_be_written(
    unreachable_s3: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from etl import pipeline

    with pytest.raises(StagingUnavailableError) as info:  # the Airflow task is retried
        pipeline.ingest_batch(f"{unreachable_s3}/run-1", 0)
    assert is_retryable(info.value)

    def broken_load(staging_dir: object) -> None:
        raise ValueError("a bug in the step")

    monkeypatch.setattr(pipeline.RunPlan, "load", broken_load)
    with pytest.raises(ValueError, match="a bug in the step"):  # not the note's own failure
        pipeline.text_batch(f"{unreachable_s3}/run-1", 0)


def test_no_query_reads_the_credentials_from_duckdbs_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Loading httpfs copied the AWS variables into the s3_* settings, and a query read them:
    # current_setting('s3_secret_access_key') and duckdb_settings() showed the key (probe).
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_SESSION_TOKEN", "token-never-shown")
    con = duckdb.connect()
    configure_duckdb(con, "s3://news-bucket/staging/run")
    shown = con.execute(
        "SELECT name, value FROM duckdb_settings() WHERE value LIKE ? OR value LIKE ?",
        [f"%{ENV['AWS_SECRET_ACCESS_KEY']}%", "%token-never-shown%"],
    ).fetchall()
    assert shown == []
    assert con.execute("SELECT current_setting('s3_secret_access_key')").fetchone() == ("",)
    (secret,) = con.execute("SELECT secret_string FROM duckdb_secrets()").fetchone() or ("",)
    assert "key_id=" in secret and ENV["AWS_SECRET_ACCESS_KEY"] not in secret


def test_the_credential_chain_loads_the_aws_extension_from_its_wheel(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Without keys the secret's credential chain needs DuckDB's aws extension, which DuckDB
    # then downloaded at run time: offline the load failed (probe). Credentials from a file.
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    credentials = tmp_path / "credentials"
    credentials.write_text("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # an empty extension folder: nothing an earlier process installed answers for the wheel
    offline = {"autoinstall_known_extensions": False, "extension_directory": str(tmp_path / "x")}
    con = duckdb.connect(config=offline)
    configure_duckdb(con, "s3://news-bucket/staging/run")
    assert con.execute(
        "SELECT provider FROM duckdb_secrets() WHERE name = 'news_etl_s3_news_bucket'"
    ).fetchone() == ("credential_chain",)
