"""Landing zones by URL: fsspec's in-memory filesystem and file:// go through the same code."""

from __future__ import annotations

import gzip
import http.server
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb
import fsspec
import pytest

from etl import pipeline
from etl.errors import ObjectStoreUnavailableError, is_retryable
from etl.ingest.landing import gzip_sizes, list_landing
from etl.storage import configure_duckdb, reaching_with_duckdb, unreachable_error

from .helpers import query, settings_for

ARTICLE = " date 2024-03-04 Ports reopened on Monday, the agency said.\n\nTrade resumed."


def test_memory_filesystem_landing_zone(tmp_path: Path) -> None:
    url = f"memory://landing-{uuid.uuid4().hex}"
    fs = fsspec.filesystem("memory")
    fs.pipe(f"{url}/wire/2024-03-04/a story.txt", ARTICLE.encode())
    fs.pipe(
        f"{url}/wire/2024-03-04/b.txt.gz", gzip.compress(ARTICLE.replace("Ports", "Roads").encode())
    )
    fs.pipe(f"{url}/wire/copy.txt", ARTICLE.encode())
    fs.pipe(f"{url}/wire/empty.txt", b"")
    settings = settings_for(tmp_path / "unused", tmp_path).model_copy(update={"landing": url})
    # A .gz file's trailer is read there too (a ranged read): batches count its text's size.
    assert gzip_sizes(url, list_landing(url)) == {"wire/2024-03-04/b.txt.gz": len(ARTICLE)}
    summary = pipeline.run(settings)
    assert (summary.files_loaded, summary.files_duplicate, summary.files_quarantined) == (2, 1, 1)
    rows = query(
        settings.warehouse,
        "SELECT source_file, source_name, date_source FROM fact_article JOIN dim_source"
        " USING (source_id) ORDER BY 1",
    )
    assert rows == [
        ("wire/2024-03-04/a story.txt", "wire", "header"),
        ("wire/2024-03-04/b.txt.gz", "wire", "header"),
    ]
    ((landing,),) = query(settings.warehouse, "SELECT DISTINCT landing FROM ingest_ledger")
    assert landing == url
    again = pipeline.run(settings)
    assert (again.files_new, again.files_unchanged) == (0, 4)


def test_file_url_is_the_local_folder(tmp_path: Path) -> None:
    root = tmp_path / "landing zone"
    root.mkdir()
    (root / "a.txt").write_text(ARTICLE, encoding="utf-8")
    settings = settings_for(root, tmp_path).model_copy(update={"landing": (root).as_uri()})
    # model_copy skips validation: build it the way users do, from the URL string
    from etl.settings import load_settings

    settings = load_settings(
        landing=root.as_uri(), warehouse=settings.warehouse, staging_dir=tmp_path / "staging"
    )
    assert settings.landing == root
    assert pipeline.run(settings).articles_loaded == 1


def test_staging_on_a_store_duckdb_cannot_read_small(tmp_path: Path) -> None:
    """Staging on ``memory://`` (a store DuckDB has no reader for, like ``gs://``): the loader
    reads the staged Parquet through fsspec (etl.load.account._read_staged). The small twin of
    the slow test in test_s3_staging.py, so that mutation runs reach that reader."""
    landing = f"memory://landing-{uuid.uuid4().hex}"
    staging = f"memory://staging-{uuid.uuid4().hex}"
    fs = fsspec.filesystem("memory")
    fs.pipe(f"{landing}/wire/2024-03-04/a.txt", ARTICLE.encode())
    fs.pipe(f"{landing}/wire/2024-03-04/b.txt", ARTICLE.replace("Ports", "Roads").encode())
    fs.pipe(f"{landing}/wire/empty.txt", b"")
    from etl.settings import load_settings

    settings = load_settings(
        landing=tmp_path / "unused", warehouse=tmp_path / "w.duckdb", staging_dir=staging
    ).model_copy(update={"landing": landing})
    summary = pipeline.run(settings)
    assert (summary.files_loaded, summary.files_quarantined) == (2, 1)
    rows = query(
        settings.warehouse,
        "SELECT source_file, published_date::VARCHAR FROM fact_article ORDER BY 1",
    )
    assert rows == [
        ("wire/2024-03-04/a.txt", "2024-03-04"),
        ("wire/2024-03-04/b.txt", "2024-03-04"),
    ]
    ((reason,),) = query(settings.warehouse, "SELECT reason FROM quarantine")
    assert reason == "empty"
    assert fs.find(staging) == []  # removed after the load


def test_files_staged_by_an_older_version_on_such_a_store_read_with_the_contracts_columns(
    tmp_path: Path,
) -> None:
    """A run staged by an older news-etl (its files lack a column added since, here
    ``lsh_bands``) still loads after an upgrade: the fsspec reader reads such a file with the
    staged table's contract, the missing column NULL, and beside a file of this version (a
    survivor of the seed-1225 mutation sample, #18: read by the file's own schema, the older
    file lacked the column and the two could not be put together). The DuckDB reader does
    the same for local and ``s3://`` files (``account._conformed``)."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    from etl.load.account import attach_staged
    from etl.load.staging import SCHEMAS, RunStaging
    from etl.storage import location

    root = f"memory://staging-{uuid.uuid4().hex}"
    staging = RunStaging(root)
    row = dict.fromkeys(SCHEMAS["articles"].names) | {"article_id": "a" * 64, "path": "old.txt"}
    staging.write("articles", 1, [{**row, "path": "new.txt", "lsh_bands": [1, 2]}])
    older = pa.schema([f for f in SCHEMAS["articles"] if f.name != "lsh_bands"])
    del row["lsh_bands"]
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pylist([row], schema=older), buffer)
    fsspec.filesystem("memory").pipe(f"{root}/batch-0000/articles.parquet", buffer.getvalue())
    files = [str(staging.path("articles", b)) for b in (0, 1)]
    assert all(location(f).protocol == "memory" for f in files)

    con = duckdb.connect()
    attach_staged(con, {"articles": files}, [])
    columns = [r[0] for r in con.execute("DESCRIBE staged_articles").fetchall()]
    assert sorted(columns) == sorted(SCHEMAS["articles"].names)
    rows = con.execute("SELECT path, lsh_bands FROM staged_articles ORDER BY path").fetchall()
    assert rows == [("new.txt", [1, 2]), ("old.txt", None)]


# An object store DuckDB cannot reach: real httpfs requests against loopback servers.


class _Answering(http.server.BaseHTTPRequestHandler):
    """Answers every request with the server's ``status`` and an empty body."""

    def _answer(self) -> None:
        self.send_response(self.server.status)  # type: ignore[attr-defined]
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = do_GET = do_PUT = do_POST = _answer  # noqa: N815 (http.server's names)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def answering(monkeypatch: pytest.MonkeyPatch) -> Iterator[http.server.HTTPServer]:
    """A loopback server answering a settable status, named by the AWS variables."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _Answering)
    server.status = 503  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _point_aws_at(monkeypatch, f"http://127.0.0.1:{server.server_address[1]}")
    yield server
    server.shutdown()
    server.server_close()


def _point_aws_at(monkeypatch: pytest.MonkeyPatch, endpoint: str) -> None:
    env = {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"}
    for key, value in {**env, "AWS_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)


def _duckdb_on(url: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    configure_duckdb(con, url)
    con.execute("SET http_retries = 0")
    return con


def test_duckdb_that_finds_no_server_raises_a_retryable_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as sock:  # a port nothing listens on once the socket is closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    _point_aws_at(monkeypatch, f"http://127.0.0.1:{port}")
    con = _duckdb_on("s3://bucket/x")
    for sql in (
        "SELECT * FROM read_parquet('s3://bucket/x/a.parquet')",
        "COPY (SELECT 1 AS a) TO 's3://bucket/x/b.parquet' (FORMAT parquet)",
    ):
        expected = pytest.raises(ObjectStoreUnavailableError, match="Could not connect to server")
        with expected, reaching_with_duckdb():
            con.execute(sql)


@pytest.mark.parametrize(
    ("status", "retryable"), [(503, True), (500, True), (404, False), (403, False)]
)
def test_duckdb_answered_by_the_store_retries_only_not_now(
    answering: http.server.HTTPServer, status: int, retryable: bool
) -> None:
    answering.status = status  # type: ignore[attr-defined]
    con = _duckdb_on("s3://bucket/x")
    with pytest.raises(duckdb.Error) as info:
        con.execute("SELECT * FROM read_parquet('s3://bucket/x/a.parquet')")
    error = unreachable_error(info.value)
    assert (error is not None) is retryable, str(info.value)
    if retryable:
        assert is_retryable(error)  # type: ignore[arg-type]
        assert f"HTTP {status}" in str(error)
