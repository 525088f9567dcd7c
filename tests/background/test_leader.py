"""The locks that elect the active `run_services`, in one process."""

from __future__ import annotations

import subprocess
import sys

import psycopg
import pytest

from background.leader import (
    LEADER_LOCK_KEY,
    FileLeadership,
    PostgresLeadership,
    postgres_connect_params,
)


def test_a_second_file_lock_waits_until_the_first_is_released(tmp_path):
    path = tmp_path / "db.sqlite3.services.lock"
    first, second = FileLeadership(path), FileLeadership(path)

    assert first.acquire() and first.held()
    assert not second.acquire() and not second.held()
    first.release()
    assert second.acquire()


def test_the_file_lock_is_freed_when_its_process_is_killed(tmp_path):
    path = tmp_path / "db.sqlite3.services.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time; f = open(sys.argv[1], 'ab'); "
            "fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)",
            str(path),
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        assert not FileLeadership(path).acquire()
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert FileLeadership(path).acquire()


@pytest.mark.postgres
@pytest.mark.django_db
def test_only_one_postgres_session_holds_the_lock_and_a_dead_session_frees_it():
    params = postgres_connect_params()
    first, second = PostgresLeadership(params), PostgresLeadership(params)
    try:
        assert first.acquire()
        assert not second.acquire()
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [first.backend_pid])
        # The holder notices before its next pass, and the lock is free for the other.
        assert not first.held()
        assert second.acquire() and second.held()
        assert not first.acquire()
    finally:
        first.release()
        second.release()


@pytest.mark.postgres
@pytest.mark.django_db
def test_release_frees_the_postgres_lock_for_the_next_process():
    params = postgres_connect_params()
    first, second = PostgresLeadership(params), PostgresLeadership(params)
    try:
        assert first.acquire()
        first.release()
        assert second.acquire()
        with psycopg.connect(**params, autocommit=True) as admin:
            held = admin.execute(
                # This database's lock only: other databases' run_services (a live compat
                # server's, another suite's) hold the same key in theirs.
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND ((classid::bigint << 32) | objid::bigint) = %s",
                [LEADER_LOCK_KEY],
            ).fetchone()
        assert held == (1,)
    finally:
        second.release()
