"""PostgreSQL stopping in the middle of a burst of bookings, then starting again. The app runs in its own process
(gunicorn) against a private PostgreSQL cluster this test starts and stops: while the database is away every
answer is a 503 in the error shape with Retry-After (never a 500 nor HTML), and once it is back, retrying with the
same Idempotency-Keys leaves every booking existing exactly once and the stock equal to the booking lines."""

import glob
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.bookings.factories import iso

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
KEYS = 40
NIGHTS = 20  # two bookings a night on a unit of two: the stock is full when every key has booked once
WORKERS = 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateCluster:
    """initdb / pg_ctl under a temporary folder, run as the `postgres` OS user when the tests run as root."""

    def __init__(self, folder: Path):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not bins:
            pytest.fail("initdb and pg_ctl are needed (/usr/lib/postgresql/*/bin)")
        self.bin = Path(bins[-1])
        self.folder = folder
        self.data = folder / "data"
        self.port = _free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/otameshi"

    def _run(self, *command, check=True):
        if os.geteuid() == 0:
            command = ("runuser", "-u", "postgres", "--", *command)
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def init(self):
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        self.start()
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "otameshi")

    def start(self):
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "log"), "-o", options, "-w", "start"
        )

    def stop(self):
        # "fast": sessions are cut off and their open transactions rolled back, as in a restart or failover.
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def query(self, sql: str) -> list[tuple]:
        out = self._run(
            str(self.bin / "psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            "otameshi",
            "-At",
            "-F",
            "\t",
            "-c",
            sql,
        ).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]


SEED = """
import json
from tests import factories
unit = factories.UnitFactory(count=2, capacity=2, max_nights=30)
visitor = factories.VisitorFactory(email="outage@example.jp")
print(json.dumps({"unit": unit.id, "visitor": visitor.id}))
"""


@pytest.fixture(scope="module")
def outage_setup():
    folder = Path(tempfile.mkdtemp(prefix="otameshi-outage-"))
    cluster = PrivateCluster(folder)
    server = None
    try:
        cluster.init()
        env = {
            **os.environ,
            "DATABASE_URL": cluster.url,
            "DJANGO_SETTINGS_MODULE": "backend.settings.base",
            "DEFAULT_THROTTLE_OFF": "true",
            "DEBUG": "false",
            "DB_CONNECT_TIMEOUT": "2",
            "DATABASE_RETRY_AFTER_SECONDS": "1",
            "STRIPE_SECRET_KEY": "",
            "STRIPE_WEBHOOK_SECRET": "",
        }
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
        seeded = subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", SEED],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        ids = json.loads(seeded.stdout.strip().splitlines()[-1])
        port = _free_port()
        server = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "backend.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--timeout",
                "60",
                "--error-logfile",
                str(folder / "server.log"),
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if requests.get(f"{url}/healthz", timeout=10).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                threading.Event().wait(0.1)
        else:
            pytest.fail("the app did not start")
        yield {"cluster": cluster, "url": url, **ids}
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _token(url: str) -> str:
    response = requests.post(
        f"{url}/api/v1/auth/token/",
        json={"email": "outage@example.jp", "password": "correct-horse-battery"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()["access"]


def test_bookings_across_a_database_restart_exist_once_and_match_the_stock(outage_setup):
    url, cluster, unit = outage_setup["url"], outage_setup["cluster"], outage_setup["unit"]
    token = _token(url)

    def book(key: int) -> requests.Response:
        night = 10 + key % NIGHTS
        return requests.post(
            f"{url}/api/v1/bookings/",
            timeout=60,
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"outage-{key}", "Accept-Language": "en"},
            json={"unit": unit, "check_in": iso(night), "check_out": iso(night + 1), "adults": 1},
        )

    answered, unavailable = threading.Semaphore(0), threading.Semaphore(0)
    lock = threading.Lock()
    seen: dict[int, requests.Response] = {}  # each key's first answer
    every_answer: list[requests.Response] = []
    refused: list[int] = []
    next_key = 0
    readiness_while_down: list[requests.Response] = []

    def outage():
        for _ in range(8):  # a few bookings land before the database goes away
            answered.acquire(timeout=120)
        cluster.stop()
        for _ in range(4):  # and some are refused while it is away
            unavailable.acquire(timeout=120)
        readiness_while_down.append(requests.get(f"{url}/readyz", timeout=30))
        cluster.start()

    controller = threading.Thread(target=outage)

    def worker():
        nonlocal next_key
        while True:
            with lock:
                if next_key < KEYS:
                    key, first = next_key, True
                    next_key += 1
                elif controller.is_alive() and refused:
                    # Keys run out before the outage ends: the burst goes on with retries of refused keys.
                    key, first = refused.pop(0), False
                elif controller.is_alive():
                    key = None
                else:
                    return
            if key is None:
                threading.Event().wait(0.05)
                continue
            response = book(key)
            with lock:
                every_answer.append(response)
                if first:
                    seen[key] = response
                if response.status_code == 503:
                    refused.append(key)
            if response.status_code == 503:
                unavailable.release()
            answered.release()

    controller.start()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for future in [pool.submit(worker) for _ in range(WORKERS)]:
            future.result()
    controller.join(timeout=300)
    assert not controller.is_alive()

    (ready_while_down,) = readiness_while_down
    assert ready_while_down.status_code == 503
    assert ready_while_down.json()["checks"]["database"] == "unavailable"
    assert {r.status_code for r in every_answer} <= {201, 409, 503}, [
        (r.status_code, r.text[:200]) for r in every_answer if r.status_code not in (201, 409, 503)
    ]
    for response in every_answer:
        if response.status_code == 503:
            assert response.headers["Content-Type"].startswith("application/json")
            assert response.json()["error"]["code"] == "service_unavailable"
            assert int(response.headers["Retry-After"]) > 0
    statuses = {key: response.status_code for key, response in seen.items()}
    assert 503 in statuses.values() and 201 in statuses.values()
    assert requests.get(f"{url}/readyz", timeout=30).status_code == 200

    # The app retries as a client would: the same key until it is booked; a key booked before is answered with
    # its booking, never a second one.
    booking_of: dict[int, int] = {}
    for key in range(KEYS):
        for _attempt in range(20):
            response = book(key)
            if response.status_code != 503:
                break
            threading.Event().wait(int(response.headers["Retry-After"]))
        assert response.status_code == 201, (key, response.status_code, response.text[:300])
        booking_of[key] = response.json()["id"]
        if statuses[key] == 201:
            assert seen[key].json()["id"] == booking_of[key]

    assert len(set(booking_of.values())) == KEYS
    ((bookings,),) = cluster.query(
        f"SELECT count(*) FROM bookings_booking WHERE visitor_id = {outage_setup['visitor']}"
    )
    assert int(bookings) == KEYS
    ((keys,),) = cluster.query(
        f"SELECT count(DISTINCT key) FROM bookings_idempotencyrecord WHERE visitor_id = {outage_setup['visitor']}"
    )
    assert int(keys) == KEYS
    ((taken,),) = cluster.query(f"SELECT coalesce(sum(taken), 0) FROM bookings_unitstock WHERE unit_id = {unit}")
    ((lines,),) = cluster.query(
        "SELECT count(*) FROM bookings_bookingline l JOIN bookings_booking b ON b.id = l.booking_id "
        f"WHERE b.unit_id = {unit} AND b.status IN ('pending', 'confirmed')"
    )
    assert int(taken) == int(lines) == KEYS
    full = cluster.query(f"SELECT count(*) FROM bookings_unitstock WHERE unit_id = {unit} AND taken = total")
    assert int(full[0][0]) == NIGHTS
